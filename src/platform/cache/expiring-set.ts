// A set of short-lived members (revoked sessions, say) kept in the cache, that knows when
// the cache has lost it. In Redis the whole set is one sorted set (member → expiry) holding
// a completeness mark: a restart, FLUSHALL or eviction removes the key with its mark, never
// a part of it, so "absent" is only ever said by a set that is whole. Without the mark the
// answer is "lost" and the caller asks the source of truth, then restores the set.
import type { Redis } from 'ioredis';
import type { Guard } from '../resilience.ts';

export type Membership = 'member' | 'absent' | 'lost';

export interface ExpiringSet {
  /** Adds members until the given time (ms); a set that was lost stays lost until restored. */
  add(members: readonly string[], untilMs: number, nowMs: number): Promise<void>;
  has(member: string, nowMs: number): Promise<Membership>;
  /** Puts back what the source of truth says the set holds, and marks the set whole. */
  restore(members: readonly string[], untilMs: number, nowMs: number): Promise<void>;
}

/** Sorts before any member we store (UUIDs), and never expires. */
const WHOLE = '~whole';

export function redisExpiringSet(redis: Redis, key: string, guard: Guard): ExpiringSet {
  const scored = (members: readonly string[], untilMs: number) =>
    members.flatMap((member) => [untilMs, member]);
  return {
    async add(members, untilMs, nowMs) {
      if (members.length === 0) return;
      await guard.run(() =>
        redis
          .multi()
          .zadd(key, ...scored(members, untilMs))
          // Expired members go as others arrive; the set stays as small as the live ones.
          .zremrangebyscore(key, '-inf', nowMs)
          .exec(),
      );
    },
    async has(member, nowMs) {
      const [whole, expiry] = await guard.run(() => redis.zmscore(key, WHOLE, member));
      if (whole === null || whole === undefined) return 'lost';
      return expiry !== null && expiry !== undefined && Number(expiry) > nowMs
        ? 'member'
        : 'absent';
    },
    async restore(members, untilMs) {
      // Nothing to prune here: the next add() does it.
      const multi = redis.multi();
      if (members.length > 0) multi.zadd(key, ...scored(members, untilMs));
      await guard.run(() => multi.zadd(key, '+inf', WHOLE).exec());
    },
  };
}

/**
 * Process memory (the embedded, single-process mode). It starts lost, like a Redis that
 * restarted empty, so the first check after a restart restores it from the database.
 */
export function memoryExpiringSet(maxMembers = 100_000): ExpiringSet {
  const members = new Map<string, number>();
  let whole = false;
  /** False when the set outgrew its bound and was dropped (then it is lost). */
  const put = (ids: readonly string[], untilMs: number, nowMs: number): boolean => {
    if (members.size + ids.length > maxMembers)
      for (const [id, until] of members) if (until <= nowMs) members.delete(id);
    for (const id of ids) members.set(id, Math.max(untilMs, members.get(id) ?? 0));
    if (members.size <= maxMembers) return true;
    // Past the bound even after pruning: forget everything and let the database answer.
    members.clear();
    whole = false;
    return false;
  };
  return {
    async add(ids, untilMs, nowMs) {
      put(ids, untilMs, nowMs);
    },
    async has(member, nowMs) {
      if (!whole) return 'lost';
      return (members.get(member) ?? 0) > nowMs ? 'member' : 'absent';
    },
    async restore(ids, untilMs, nowMs) {
      whole = put(ids, untilMs, nowMs);
    },
  };
}
