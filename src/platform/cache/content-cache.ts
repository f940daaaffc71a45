// A cache for content that changes rarely and must change everywhere at once when it does.
// Entries are keyed by a content version; a write bumps the version (in the database, in
// the write's transaction, then in the shared store), so every replica's next read misses
// and reloads. If the store fails (Redis down), reads go to the source: slower, never stale.
//
// An entry never changes under its version, so each process also keeps the entries it read
// last (parsed): a hit costs the version lookup only, not a second round trip and a parse
// of the content (issue 17: the cached tool read).
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import type { KeyValueStore } from './kv.ts';

/** Parsed entries kept per process (a tool in one language is a few KB). */
const LOCAL_ENTRIES = 1000;

export interface ContentCache {
  /** The current version (from the store, or from the source of truth when the store lacks it). */
  version(): Promise<number>;
  /**
   * Cached value of `key` at the current version, or `load()` stored for next time. The value
   * may be shared with other callers: read it, never change it.
   */
  get<T>(key: string, load: () => Promise<T>): Promise<{ value: T; version: number; hit: boolean }>;
  /** Tell every replica that content changed (after the write committed). */
  publish(version: number): Promise<void>;
}

export interface ContentCacheOptions {
  name: string;
  kv: KeyValueStore;
  loadVersion: () => Promise<number>;
  ttlSeconds: number;
  log: Logger;
  onResult?: (hit: boolean) => void;
  /** Called when the store failed and the source was read instead. */
  onBypass?: () => void;
}

export function createContentCache(options: ContentCacheOptions): ContentCache {
  const { kv, name, log } = options;
  const versionKey = `${name}:version`;
  const local = new LRUCache<string, { value: unknown }>({ max: LOCAL_ENTRIES });
  let warned = 0;
  const bypass = (error: unknown) => {
    options.onBypass?.();
    if (Date.now() - warned > 30_000) {
      warned = Date.now();
      log.warn(
        { err: { message: (error as Error).message }, cache: name },
        'cache unavailable, reading from the source',
      );
    }
  };

  async function version(): Promise<number> {
    try {
      const stored = await kv.get(versionKey);
      if (stored !== null) return Number(stored);
    } catch (error) {
      bypass(error);
      return options.loadVersion();
    }
    const current = await options.loadVersion();
    // Short-lived, so a store that lost the key (a restart) converges on the database.
    await kv.set(versionKey, String(current), 60).catch(bypass);
    return current;
  }

  return {
    version,
    async get(key, load) {
      const v = await version();
      const entryKey = `${name}:v${v}:${key}`;
      const kept = local.get(entryKey);
      if (kept) {
        options.onResult?.(true);
        return { value: kept.value as never, version: v, hit: true };
      }
      try {
        const cached = await kv.get(entryKey);
        if (cached !== null) {
          options.onResult?.(true);
          const value: unknown = JSON.parse(cached);
          local.set(entryKey, { value });
          return { value: value as never, version: v, hit: true };
        }
      } catch (error) {
        bypass(error);
      }
      options.onResult?.(false);
      const value = await load();
      await kv.set(entryKey, JSON.stringify(value), options.ttlSeconds).catch(bypass);
      local.set(entryKey, { value });
      return { value, version: v, hit: false };
    },
    async publish(v) {
      await kv.set(versionKey, String(v), 60).catch(bypass);
    },
  };
}
