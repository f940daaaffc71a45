// Sessions and tokens. A session is one sign-in on one device; its refresh tokens form a
// family where each is used once. A child token is HMAC(server secret, parent token): the
// server stores only hashes, yet can hand the same new pair to a client that retries a
// refresh within the grace window (EdDSA signatures are deterministic, so the re-signed
// access token is byte-identical too).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../platform/db/database.ts';
import { randomToken, sha256, type Secrets } from '../../../platform/crypto/secrets.ts';
import {
  signAccessToken,
  type AccessTokenSettings,
} from '../../../platform/crypto/access-tokens.ts';
import type { SigningKeys } from '../../../platform/crypto/signing-keys.ts';
import { scopesForRole, type Role } from '../../../platform/auth/roles.ts';
import * as sessionsRepo from './repository.ts';

export interface TokenSettings {
  access: AccessTokenSettings;
  refreshTtlDays: number;
  reuseGraceSeconds: number;
}

export interface IssuedTokens {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type RotationResult =
  | { kind: 'rotated'; tokens: IssuedTokens; userId: string }
  | { kind: 'invalid'; reason: 'unknown' | 'expired' | 'session-ended' }
  | { kind: 'locked'; userId: string }
  | { kind: 'reused'; userId: string; sessionId: string };

export interface TokenIssuer {
  startSession(
    tx: Tx,
    input: {
      userId: string;
      role: Role;
      deviceRef: string | null;
      ip: string | null;
      userAgent: string | null;
    },
    now: Date,
  ): Promise<IssuedTokens>;
  /** Rotates a refresh token. Reuse is reported, not thrown, so the caller can commit the revocation. */
  rotate(tx: Tx, refreshToken: string, now: Date): Promise<RotationResult>;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function createTokenIssuer(
  keys: SigningKeys,
  secrets: Secrets,
  settings: TokenSettings,
): TokenIssuer {
  const refreshTtlMs = settings.refreshTtlDays * 24 * 60 * 60 * 1000;
  const childOf = (token: string) => secrets.hmac('refresh-rotation', token).toString('base64url');

  const accessToken = (
    userId: string,
    sessionId: string,
    role: Role,
    tokenId: string,
    issuedAt: number,
  ) =>
    signAccessToken(
      keys,
      settings.access,
      { sub: userId, sid: sessionId, role, scope: scopesForRole(role).join(' '), jti: tokenId },
      issuedAt,
    );

  /** The pair for a rotation: refresh token `childToken`, access token signed as of `issuedAt`. */
  async function rotated(
    token: { userId: string; sessionId: string; role: Role },
    childId: string,
    childToken: string,
    issuedAt: number,
    now: Date,
  ): Promise<RotationResult> {
    return {
      kind: 'rotated',
      userId: token.userId,
      tokens: {
        sessionId: token.sessionId,
        accessToken: await accessToken(
          token.userId,
          token.sessionId,
          token.role,
          childId,
          issuedAt,
        ),
        refreshToken: childToken,
        expiresIn: Math.max(0, issuedAt + settings.access.ttlSeconds - seconds(now)),
      },
    };
  }

  return {
    async startSession(tx, input, now) {
      const sessionId = randomUUID();
      const tokenId = randomUUID();
      const refreshToken = randomToken(32);
      const expiresAt = new Date(now.getTime() + refreshTtlMs);
      await sessionsRepo.insertSession(tx, {
        id: sessionId,
        userId: input.userId,
        deviceRef: input.deviceRef,
        ip: input.ip,
        userAgent: input.userAgent,
        createdAt: now,
        expiresAt,
      });
      await sessionsRepo.insertRefreshToken(tx, {
        id: tokenId,
        sessionId,
        userId: input.userId,
        tokenHash: sha256(refreshToken),
        parentId: null,
        issuedAt: now,
        expiresAt,
      });
      return {
        sessionId,
        accessToken: await accessToken(input.userId, sessionId, input.role, tokenId, seconds(now)),
        refreshToken,
        expiresIn: settings.access.ttlSeconds,
      };
    },

    async rotate(tx, presented, now) {
      const token = await sessionsRepo.lockRefreshToken(tx, sha256(presented));
      if (!token) return { kind: 'invalid', reason: 'unknown' };
      if (token.sessionRevokedAt) return { kind: 'invalid', reason: 'session-ended' };
      if (token.expiresAt <= now) return { kind: 'invalid', reason: 'expired' };
      if (token.accountStatus !== 'active') return { kind: 'locked', userId: token.userId };
      const childToken = childOf(presented);

      if (token.rotatedAt) {
        const child = await sessionsRepo.findChildToken(tx, token.id);
        const withinGrace =
          now.getTime() - token.rotatedAt.getTime() <= settings.reuseGraceSeconds * 1000;
        if (child && withinGrace && !child.rotatedAt) {
          // A client racing itself (two requests, or a retry after a lost response): same pair.
          return rotated(token, child.id, childToken, seconds(token.rotatedAt), now);
        }
        return { kind: 'reused', userId: token.userId, sessionId: token.sessionId };
      }

      const childId = randomUUID();
      const expiresAt = new Date(now.getTime() + refreshTtlMs);
      await sessionsRepo.markTokenRotated(tx, token.id, now);
      await sessionsRepo.insertRefreshToken(tx, {
        id: childId,
        sessionId: token.sessionId,
        userId: token.userId,
        tokenHash: sha256(childToken),
        parentId: token.id,
        issuedAt: now,
        expiresAt,
      });
      await sessionsRepo.touchSession(tx, token.sessionId, now, expiresAt);
      return rotated(token, childId, childToken, seconds(now), now);
    },
  };
}
