// Object storage behind a guard: when the store is down, the breaker opens after a few
// failures and journal routes answer 503 + Retry-After at once, while every other route
// is untouched. A failing upload *body* (the client aborted, the inspector refused the
// bytes) is the client's failure, not the store's: it never opens the breaker.
import type { Readable } from 'node:stream';
import type { Guard } from '../resilience.ts';
import type { ObjectStorage } from './storage.ts';

export const STORAGE_TIMEOUT_MS = 10_000;

export function guardedStorage(
  storage: ObjectStorage,
  makeGuard: (ignore: (error: unknown) => boolean) => Guard,
): ObjectStorage {
  const bodyErrors = new WeakSet<object>();
  const guard = makeGuard(
    (error) => typeof error === 'object' && error !== null && bodyErrors.has(error),
  );
  return {
    kind: storage.kind,
    put(key, body: Readable) {
      body.once('error', (error) => bodyErrors.add(error));
      // No timeout: an upload lasts as long as the client sends.
      return guard.run(() => storage.put(key, body), { timeout: false });
    },
    get: (key, range) => guard.run(() => storage.get(key, range)),
    head: (key) => guard.run(() => storage.head(key)),
    delete: (key) => guard.run(() => storage.delete(key)),
    list: (prefix) => storage.list(prefix),
    ...(storage.removeAbandonedParts
      ? { removeAbandonedParts: storage.removeAbandonedParts.bind(storage) }
      : {}),
    ...(storage.presignedUrl
      ? {
          presignedUrl: (key: string, expiresInSeconds: number, filename: string) =>
            guard.run(() => storage.presignedUrl!(key, expiresInSeconds, filename)),
        }
      : {}),
    ping: () => guard.run(() => storage.ping()),
  };
}
