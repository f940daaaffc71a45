// Revoked sessions, checked on every authenticated request so that a logout (or a reuse
// detection, a password change, a lock) stops the session's access tokens at once rather
// than when they expire. Entries live as long as an access token can (then the token is
// dead anyway). In Redis when configured, so every replica sees a revocation immediately.
//
// If Redis is unavailable, the check asks the database (sessions.revoked_at, the source of
// truth): slower, never wrong. Revocations that could not be written to Redis are kept
// and written once it answers again, so other replicas learn of them.
import type { KeyValueStore } from '../../platform/cache/kv.ts';

export interface RevocationStore {
  revoke(sessionIds: readonly string[]): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export function createRevocationStore(
  kv: KeyValueStore,
  accessTtlSeconds: number,
  fromDatabase: (sessionId: string) => Promise<boolean>,
  onFallback: () => void = () => {},
): RevocationStore {
  const key = (sessionId: string) => `revoked-session:${sessionId}`;
  const unsynced = new Set<string>();
  const write = (ids: Iterable<string>) =>
    Promise.all([...ids].map((id) => kv.set(key(id), '1', accessTtlSeconds + 5)));

  async function resync() {
    if (unsynced.size === 0) return;
    const ids = [...unsynced];
    await write(ids);
    for (const id of ids) unsynced.delete(id);
  }

  return {
    async revoke(sessionIds) {
      try {
        await write(sessionIds);
      } catch {
        for (const id of sessionIds) unsynced.add(id);
        onFallback();
      }
    },
    async isRevoked(sessionId) {
      if (unsynced.has(sessionId)) return true;
      try {
        const revoked = await kv.exists(key(sessionId));
        if (unsynced.size > 0) void resync().catch(() => {});
        return revoked;
      } catch {
        onFallback();
        return fromDatabase(sessionId);
      }
    },
  };
}
