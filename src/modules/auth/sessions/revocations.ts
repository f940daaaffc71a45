// Revoked sessions, checked on every authenticated request so that a logout (or a reuse
// detection, a password change, a lock) stops the session's access tokens at once rather
// than when they expire. The database (sessions.revoked_at) is the source of truth; the
// cache (an ExpiringSet: Redis when configured, so every replica sees a revocation at once)
// only makes the check cheap. Members live as long as an access token can.
//
// The cache is trusted only while it is whole. Redis restarting empty, a FLUSHALL or an
// eviction takes its completeness mark with it: the check then asks the database, and one
// request per process restores the set from the sessions revoked within an access token's
// lifetime. If Redis is unavailable, the check asks the database too; revocations that
// could not be written are kept here and written once it answers again.
import type { ExpiringSet } from '../../../platform/cache/expiring-set.ts';

export interface RevocationStore {
  revoke(sessionIds: readonly string[]): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export interface RevocationStoreDeps {
  cache: ExpiringSet;
  accessTtlSeconds: number;
  now: () => number;
  /** The source of truth: revoked, or gone. */
  isRevokedInDatabase(sessionId: string): Promise<boolean>;
  /** Sessions revoked after the given time (their access tokens may still be alive). */
  revokedSince(since: Date): Promise<string[]>;
  /** Each time the database answered because the cache could not (a metric). */
  onFallback?: (reason: 'unavailable' | 'lost') => void;
  onRestoreFailed?: (error: unknown) => void;
}

export function createRevocationStore(deps: RevocationStoreDeps): RevocationStore {
  const { cache, now } = deps;
  // A few seconds beyond the token lifetime: clock skew between replicas.
  const lifetimeMs = (deps.accessTtlSeconds + 5) * 1000;
  const unsynced = new Set<string>();
  let restoring: Promise<void> | undefined;

  async function resync() {
    if (unsynced.size === 0) return;
    const ids = [...unsynced];
    await cache.add(ids, now() + lifetimeMs, now());
    for (const id of ids) unsynced.delete(id);
  }

  /** One restore at a time per process; concurrent checks ask the database meanwhile. */
  function restore(): void {
    restoring ??= (async () => {
      const at = now();
      const ids = await deps.revokedSince(new Date(at - lifetimeMs));
      await cache.restore([...ids, ...unsynced], at + lifetimeMs, at);
      unsynced.clear();
    })()
      .catch((error: unknown) => deps.onRestoreFailed?.(error))
      .finally(() => {
        restoring = undefined;
      });
  }

  return {
    async revoke(sessionIds) {
      try {
        await cache.add(sessionIds, now() + lifetimeMs, now());
      } catch {
        for (const id of sessionIds) unsynced.add(id);
        deps.onFallback?.('unavailable');
      }
    },
    async isRevoked(sessionId) {
      if (unsynced.has(sessionId)) return true;
      let membership;
      try {
        membership = await cache.has(sessionId, now());
      } catch {
        deps.onFallback?.('unavailable');
        return deps.isRevokedInDatabase(sessionId);
      }
      if (membership === 'lost') {
        deps.onFallback?.('lost');
        restore();
        return deps.isRevokedInDatabase(sessionId);
      }
      if (unsynced.size > 0) void resync().catch(() => {});
      return membership === 'member';
    },
  };
}
