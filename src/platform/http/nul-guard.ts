// PostgreSQL text cannot hold the NUL character: a string with one would fail at the
// database as a 500. No person types it, so any request carrying one in its body, query
// or path is refused up front with a 400 that points at the field.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.ts';

function findNul(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return pointer;
    const found = findNul(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found) return found;
  }
  return undefined;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const pointer =
      findNul(request.params, '#/params') ??
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
