// Verifying an Ed25519 signature costs more than the rest of a small authenticated request.
// A token that verified once verifies again (same bytes, same keys), so the result is kept
// in a bounded cache keyed by the whole token string until the token's own expiry; a
// tampered token is a different key and goes through full verification. Revocation is not
// cached here: the guard checks the session on every request.
import { LRUCache } from 'lru-cache';
import { AccessTokenError, type VerifiedAccess } from './access-tokens.ts';

export interface VerifiedTokenCacheOptions {
  /** How many verified tokens to keep (about 1 KiB each). */
  max: number;
  now: () => Date;
}

export function cacheVerifiedTokens(
  verify: (token: string) => Promise<VerifiedAccess>,
  options: VerifiedTokenCacheOptions,
): (token: string) => Promise<VerifiedAccess> {
  const cache = new LRUCache<string, VerifiedAccess>({ max: options.max });
  return async (token) => {
    const cached = cache.get(token);
    if (cached) {
      if (cached.exp * 1000 > options.now().getTime()) return cached;
      cache.delete(token);
      throw new AccessTokenError('expired', 'token expired');
    }
    const claims = await verify(token);
    cache.set(token, claims);
    return claims;
  };
}
