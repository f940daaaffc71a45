// Revoked sessions, checked on every authenticated request so that a logout (or a reuse
// detection, a password change, a lock) stops the session's access tokens at once rather
// than when they expire. Entries live as long as an access token can (then the token is
// dead anyway). In Redis when configured, so every replica sees a revocation immediately.
import type { KeyValueStore } from '../../platform/cache/kv.ts';

export interface RevocationStore {
  revoke(sessionIds: readonly string[]): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export function createRevocationStore(
  kv: KeyValueStore,
  accessTtlSeconds: number,
): RevocationStore {
  const key = (sessionId: string) => `revoked-session:${sessionId}`;
  return {
    async revoke(sessionIds) {
      await Promise.all(sessionIds.map((id) => kv.set(key(id), '1', accessTtlSeconds + 5)));
    },
    isRevoked: (sessionId) => kv.exists(key(sessionId)),
  };
}
