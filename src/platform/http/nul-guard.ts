// PostgreSQL text cannot hold the NUL character: a string with one would fail at the
// database as a 500. No person types it, so any request carrying one in its body or query
// is refused up front with a 400 that points at the field; in the path, no resource can be
// named by it, so the answer is the same 404 as for any path that names nothing
// (platform/http/unrouted.ts).
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.ts';
import { NoSuchPath } from './unrouted.ts';

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The pointer of the first string or key holding a NUL, if any. Iterative (an explicit
 * stack): a body is at most MAX_JSON_DEPTH deep by the time it gets here, but nothing
 * recursive should depend on that.
 */
export function findNul(value: unknown, pointer: string): string | undefined {
  const pending: { value: unknown; pointer: string }[] = [{ value, pointer }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value === 'string') {
      if (next.value.includes('\u0000')) return next.pointer;
      continue;
    }
    if (next.value === null || typeof next.value !== 'object') continue;
    const entries = Object.entries(next.value as Record<string, unknown>);
    if (entries.some(([key]) => key.includes('\u0000'))) return next.pointer;
    // Pushed in reverse, so that fields are looked at in their order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      pending.push({ value: item, pointer: `${next.pointer}/${escapePointer(key)}` });
    }
  }
  return undefined;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (findNul(request.params, '#/params')) throw new NoSuchPath();
    const pointer =
      findNul(request.query, '#/query') ??
      // Multipart bodies are streams, read and checked by their own routes.
      (String(request.headers['content-type'] ?? '').startsWith('multipart/')
        ? undefined
        : findNul(request.body, '#/body'));
    if (pointer)
      throw badRequest(`${pointer} must not contain the NUL character`, [
        { pointer, message: 'must not contain the NUL character' },
      ]);
  });
}
