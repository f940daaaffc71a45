// Idempotent creates (header Idempotency-Key). The record is claimed and completed inside
// the transaction of the create itself: a concurrent duplicate waits on the primary key
// and then replays the committed response; a rolled-back create leaves no record, so the
// retry runs again. Keys are per user and expire after 24 hours.
import { createHash } from 'node:crypto';
import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../errors.ts';
import type { Tx } from '../db/database.ts';
import { idempotencyKeys } from './tables.ts';

export interface IdempotencyRequest {
  key: string;
  fingerprint: string;
}

export interface IdempotentResult<T> {
  replayed: boolean;
  body: T;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const TTL_MS = 24 * 60 * 60 * 1000;

/** status_code of a record whose result the user deleted since (its response is gone too). */
const RESULT_DELETED = 410;

const resultDeleted = () =>
  new AppError(410, 'idempotent-result-deleted', 'Already done, and since deleted', {
    detail:
      'This request was carried out before under this Idempotency-Key, and what it created has since been deleted',
  });

/** Reads the Idempotency-Key header of a create request (undefined when absent). */
export function idempotencyOf(
  request: FastifyRequest,
  extra: unknown = request.body,
): IdempotencyRequest | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { pointer: '#/headers/idempotency-key', message: 'invalid' },
    ]);
  }
  const route = request.routeOptions.url ?? request.url;
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${route}\n${JSON.stringify(extra ?? null)}`)
    .digest('base64url');
  return { key: header, fingerprint };
}

export async function runIdempotent<T>(
  tx: Tx,
  userId: string,
  request: IdempotencyRequest | undefined,
  now: Date,
  create: () => Promise<T>,
): Promise<IdempotentResult<T>> {
  if (!request) return { replayed: false, body: await create() };
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ userId, key: request.key, fingerprint: request.fingerprint, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [existing] = await tx
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, request.key)));
    if (existing && existing.createdAt.getTime() > now.getTime() - TTL_MS) {
      if (existing.fingerprint !== request.fingerprint) {
        throw new AppError(422, 'idempotency-key-reused', 'Idempotency key reused', {
          detail: 'This Idempotency-Key was already used with a different request',
        });
      }
      if (existing.statusCode === RESULT_DELETED) throw resultDeleted();
      return { replayed: true, body: existing.response as T };
    }
    // Expired record: the key starts a new life.
    await tx
      .update(idempotencyKeys)
      .set({ fingerprint: request.fingerprint, createdAt: now, response: null, statusCode: null })
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, request.key)));
  }
  const body = await create();
  await tx
    .update(idempotencyKeys)
    .set({ statusCode: 201, response: sql`${JSON.stringify(body)}::jsonb` })
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, request.key)));
  return { replayed: false, body };
}

/**
 * The stored response of a completed request with this key, if any (for creates that must
 * know before doing expensive work, such as streaming an upload). A different request under
 * the same key is refused.
 */
export async function findIdempotentResponse<T>(
  tx: Tx,
  userId: string,
  request: IdempotencyRequest,
  now: Date,
): Promise<T | undefined> {
  const [existing] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, request.key)));
  if (
    !existing ||
    existing.statusCode === null ||
    existing.createdAt.getTime() <= now.getTime() - TTL_MS
  )
    return undefined;
  if (existing.fingerprint !== request.fingerprint) {
    throw new AppError(422, 'idempotency-key-reused', 'Idempotency key reused', {
      detail: 'This Idempotency-Key was already used with a different request',
    });
  }
  if (existing.statusCode === RESULT_DELETED) throw resultDeleted();
  return existing.response as T;
}

export async function deleteExpiredIdempotencyKeys(tx: Tx, now: Date): Promise<void> {
  await tx
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - TTL_MS)));
}

type Json = unknown;
const idOf = (value: Json): string | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id.toLowerCase()
      : undefined
    : undefined;

/** The response without the objects (`{ id, … }`) that were deleted: null in a field, gone from a list. */
function withoutDeleted(value: Json, gone: ReadonlySet<string>): Json {
  const isGone = (v: Json) => gone.has(idOf(v) ?? '');
  if (Array.isArray(value))
    return value.filter((v) => !isGone(v)).map((v) => withoutDeleted(v, gone));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isGone(v) ? null : withoutDeleted(v, gone)]),
    );
  return value;
}

/**
 * The user deleted these objects (a deletion by category): their stored responses must not
 * hand them back, nor keep their content, for the rest of the day. A record that created
 * one of them keeps only its key (a retry answers 410 idempotent-result-deleted instead of
 * creating it again); a response that embeds one (a journal's check-in) loses it. Returns
 * how many records changed.
 */
export async function forgetDeletedResults(
  tx: Tx,
  userId: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const gone = new Set(ids.map((id) => id.toLowerCase()));
  const records = await tx
    .select({ key: idempotencyKeys.key, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), isNotNull(idempotencyKeys.response)));
  let changed = 0;
  for (const { key, response } of records) {
    const created = gone.has(idOf(response) ?? '');
    const kept = created ? null : withoutDeleted(response, gone);
    if (!created && JSON.stringify(kept) === JSON.stringify(response)) continue;
    await tx
      .update(idempotencyKeys)
      .set(
        created
          ? { response: null, statusCode: RESULT_DELETED }
          : { response: sql`${JSON.stringify(kept)}::jsonb` },
      )
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
    changed++;
  }
  return changed;
}
