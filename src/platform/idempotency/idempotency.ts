// Idempotent creates (header Idempotency-Key). The record is claimed and completed inside
// the transaction of the create itself: a concurrent duplicate waits on the primary key
// and then replays the committed response; a rolled-back create leaves no record, so the
// retry runs again. Keys are per user and expire after 24 hours.
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
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
  return existing.response as T;
}

export async function deleteExpiredIdempotencyKeys(tx: Tx, now: Date): Promise<void> {
  await tx
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - TTL_MS)));
}
