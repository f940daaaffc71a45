// A small key-value store with expiry: Redis when configured (shared by every replica),
// process memory otherwise (embedded, single process).
import type { Redis } from 'ioredis';
import type { Guard } from '../resilience.ts';

export interface KeyValueStore {
  readonly shared: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

/**
 * Redis, through a guard: while Redis is down the breaker opens and calls fail at once,
 * and each caller falls back in its own way (the content cache reads the source, the
 * revocation check asks the database).
 */
export function redisStore(redis: Redis, prefix: string, guard: Guard): KeyValueStore {
  return {
    shared: true,
    get: (key) => guard.run(() => redis.get(prefix + key)),
    async set(key, value, ttlSeconds) {
      await guard.run(() =>
        redis.set(prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds))),
      );
    },
    async del(key) {
      await guard.run(() => redis.del(prefix + key));
    },
    async exists(key) {
      return (await guard.run(() => redis.exists(prefix + key))) > 0;
    },
  };
}

export function memoryStore(now: () => number = Date.now, maxEntries = 100_000): KeyValueStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const evictIfFull = () => {
    if (entries.size < maxEntries) return;
    const t = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= t) entries.delete(key);
    // Still full: drop the oldest insertions (Map keeps insertion order).
    for (const key of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  };
  return {
    shared: false,
    get: async (key) => live(key)?.value ?? null,
    async set(key, value, ttlSeconds) {
      evictIfFull();
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    async del(key) {
      entries.delete(key);
    },
    exists: async (key) => live(key) !== undefined,
  };
}
