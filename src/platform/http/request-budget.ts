// The gateway's request budgets (per client address, per signed-in user): counted in
// process memory and shared through Redis a few times a second, instead of one Redis round
// trip per budget per request. Those were two of the three Redis calls of every signed-in
// request and 6 of its 9 Redis commands (issue 17, docs/performance.md).
//
// Windows are fixed and aligned to the clock (minute n of the epoch), so every replica
// counts into the same Redis key. In one process the budget is exact: the check and the
// count are one synchronous step. Across replicas a window can overshoot by what the other
// replicas counted since their last sync (at most SYNC_MS of their traffic): these budgets
// protect capacity, not secrets. The failure budgets of sign-in, codes and resets stay
// exact across replicas (rate-limit.ts: one atomic Redis call per attempt).
//
// When Redis fails, counting goes on in memory (what each replica sees alone) and what
// could not be pushed is pushed at the next sync that succeeds in the same window.
import type { Redis } from 'ioredis';
import { tooManyRequests } from '../errors.ts';
import type { Guard } from '../resilience.ts';
import type { LimitSpec, LimitState } from './rate-limit.ts';

/** How often each process pushes its counts to Redis and learns the others'. */
export const SYNC_MS = 200;
/** Keys counted in one window before the oldest are forgotten (memory stays bounded). */
const MAX_KEYS = 200_000;

export interface RequestBudget {
  readonly spec: LimitSpec;
  /** Counts one request; throws a 429 AppError when the key's budget for this window is spent. */
  consume(key: string): LimitState;
  /** Pushes the counts not yet shared (also runs by itself every SYNC_MS while counting). */
  sync(): Promise<void>;
}

export type RequestBudgetFactory = (spec: LimitSpec) => RequestBudget;

interface Count {
  /** The window's total in Redis at the last sync (every replica's requests). */
  shared: number;
  /** Counted here since then. */
  unsynced: number;
}

export function createRequestBudgetFactory(
  shared: { redis: Redis; keyPrefix: string; guard: Guard } | undefined,
  now: () => number = Date.now,
): RequestBudgetFactory {
  return (spec) => {
    const windowMs = spec.durationSeconds * 1000;
    let window = -1;
    let counts = new Map<string, Count>();
    let timer: NodeJS.Timeout | undefined;

    const current = () => {
      const index = Math.floor(now() / windowMs);
      if (index !== window) {
        // A new window: what was not pushed belongs to the old one and is dropped with it.
        window = index;
        counts = new Map();
      }
      return index;
    };

    const sync = async () => {
      timer = undefined;
      if (!shared) return;
      const index = current();
      const batch = counts;
      const pending = [...batch].filter(([, count]) => count.unsynced > 0);
      if (pending.length === 0) return;
      const redisKey = (key: string) => `${shared.keyPrefix}budget:${spec.name}:${index}:${key}`;
      const multi = shared.redis.multi();
      for (const [key, count] of pending) {
        multi.incrby(redisKey(key), count.unsynced);
        // The key outlives its window a little, for replicas whose clocks lag.
        multi.pexpire(redisKey(key), windowMs + 10_000);
      }
      const sent = pending.map(([, count]) => count.unsynced);
      let results: [Error | null, unknown][] | null;
      try {
        results = await shared.guard.run(() => multi.exec());
      } catch {
        return; // Still counted here; pushed at the next sync of this window.
      }
      if (!results || counts !== batch) return; // the window ended meanwhile
      pending.forEach(([, count], i) => {
        const [error, total] = results[i * 2] ?? [null, null];
        if (error || typeof total !== 'number') return;
        count.unsynced -= sent[i]!;
        // A Redis that restarted empty answers with only what was just pushed: this
        // process still knows what it counted itself.
        count.shared = Math.max(total, count.shared + sent[i]!);
      });
    };

    const schedule = () => {
      if (!shared || timer) return;
      timer = setTimeout(() => void sync(), SYNC_MS);
      timer.unref();
    };

    return {
      spec,
      consume(key) {
        const index = current();
        const resetSeconds = Math.max(1, Math.ceil(((index + 1) * windowMs - now()) / 1000));
        let count = counts.get(key);
        if (!count) {
          if (counts.size >= MAX_KEYS) {
            const oldest = counts.keys().next().value;
            if (oldest !== undefined) counts.delete(oldest);
          }
          count = { shared: 0, unsynced: 0 };
          counts.set(key, count);
        }
        const used = count.shared + count.unsynced;
        if (used >= spec.points)
          throw tooManyRequests(resetSeconds, 'Too many requests; wait before trying again');
        count.unsynced++;
        schedule();
        return { limit: spec.points, remaining: spec.points - used - 1, resetSeconds };
      },
      sync,
    };
  };
}
