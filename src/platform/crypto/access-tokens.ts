// Access tokens: short-lived JWTs (RFC 9068 profile) signed with an asymmetric key.
// Verification pins the algorithms, the issuer, the audience, the header and claim `typ`,
// and requires a known `kid`, so `alg: none`, an HMAC made with the public key, a token
// of another type (e.g. an MFA challenge) or from another issuer is refused.
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { isRole, type Role } from '../auth/roles.ts';
import type { SigningKeys } from './signing-keys.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  scope: string;
  jti: string;
}

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface VerifiedAccess extends AccessClaims {
  exp: number;
  iat: number;
}

export class AccessTokenError extends Error {
  override name = 'AccessTokenError';
  readonly reason: 'expired' | 'invalid';
  constructor(reason: 'expired' | 'invalid', message: string) {
    super(message);
    this.reason = reason;
  }
}

export async function signAccessToken(
  keys: SigningKeys,
  settings: AccessTokenSettings,
  claims: AccessClaims,
  issuedAtSeconds: number,
): Promise<string> {
  return new SignJWT({ sid: claims.sid, role: claims.role, scope: claims.scope, typ: 'access' })
    .setProtectedHeader({ alg: keys.active.alg, kid: keys.active.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + settings.ttlSeconds)
    .sign(keys.active.key);
}

export async function verifyAccessToken(
  keys: SigningKeys,
  settings: AccessTokenSettings,
  token: string,
  now: Date,
): Promise<VerifiedAccess> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keys.verification.get(header.kid) : undefined;
        if (!key || key.alg !== header.alg)
          throw new AccessTokenError('invalid', 'unknown signing key');
        return key.key;
      },
      {
        algorithms: [...new Set([...keys.verification.values()].map((k) => k.alg))],
        issuer: settings.issuer,
        audience: settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        currentDate: now,
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
      },
    ));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw new AccessTokenError('expired', 'token expired');
    if (error instanceof AccessTokenError) throw error;
    throw new AccessTokenError('invalid', 'token invalid');
  }
  const { sub, sid, role, scope, jti, exp, iat, typ } = payload as Record<string, unknown>;
  if (
    typ !== 'access' ||
    typeof sub !== 'string' ||
    typeof sid !== 'string' ||
    typeof jti !== 'string' ||
    typeof scope !== 'string' ||
    !isRole(role) ||
    typeof exp !== 'number' ||
    typeof iat !== 'number'
  ) {
    throw new AccessTokenError('invalid', 'token claims invalid');
  }
  return { sub, sid, role, scope, jti, exp, iat };
}
