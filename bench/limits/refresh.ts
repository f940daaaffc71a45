// The limit of `POST /v1/auth/refresh`: the API's rotation in two flights instead of six.
//   flight 1: BEGIN; set_config('app.system', 'on', true); the API's SELECT ... FOR UPDATE
//             of the presented token (by its SHA-256) with its session and user;
//   flight 2: (a live, unrotated token of an active account) update refresh_tokens set
//             rotated_at; insert the child token (HMAC of the presented one under the key the
//             API derives, stored as its SHA-256); update sessions (last_used_at,
//             expires_at); the API's SELECT of the user for the answer; COMMIT.
// Then the access token is signed (jose, the API's key and claims) and the pair answered in
// the API's TokenPair schema. Anything else is a 401 after ROLLBACK: the limit does not
// implement the API's grace window for a retried refresh nor the revocation of a reused
// token's session (neither happens in the benchmark, where each token is used once).
import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { importJWK, SignJWT } from 'jose';
import { RefreshBody, TokenPair } from '../../src/modules/auth/schemas.ts';
import { scopesForRole, type Role } from '../../src/platform/auth/roles.ts';
import { openDatabase, unauthorized, type LimitConfig, type Sql } from './common.ts';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export async function registerRefresh(app: FastifyInstance, config: LimitConfig): Promise<Sql> {
  const { signingJwk, appSecret } = config;
  if (!signingJwk || !appSecret) throw new Error('refresh: signing key or secret missing');
  const sql = openDatabase(config);
  const signingKey = await importJWK(signingJwk, signingJwk.alg);
  const rotationKey = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(appSecret, 'base64url'),
      Buffer.alloc(0),
      'amira:refresh-rotation',
      32,
    ),
  );
  const accessTtl = config.accessTtlSeconds ?? 900;
  const refreshTtlMs = (config.refreshTtlDays ?? 14) * 86_400_000;
  const sha256 = (value: string) => createHash('sha256').update(value).digest();

  app.post<{ Body: { refresh_token: string } }>(
    '/v1/auth/refresh',
    { schema: { body: RefreshBody, response: { 200: TokenPair } } },
    async (request, reply) => {
      const presented = request.body.refresh_token;
      const now = new Date();
      const tx = await sql.reserve();
      try {
        const [, , found] = await Promise.all([
          tx`begin`,
          tx`select set_config('app.system', 'on', true)`,
          tx`select rt.id, rt.session_id, rt.user_id, rt.expires_at, rt.rotated_at,
               s.revoked_at, u.role, u.account_status
             from refresh_tokens rt
             join sessions s on s.id = rt.session_id
             join users u on u.id = rt.user_id
             where rt.token_hash = ${sha256(presented)}
             for update of rt`,
        ]);
        const token = found[0];
        if (
          !token ||
          token.rotated_at ||
          token.revoked_at ||
          (token.expires_at as Date) <= now ||
          token.account_status !== 'active'
        ) {
          await tx`rollback`;
          return reply.code(401).send(unauthorized);
        }
        const child = createHmac('sha256', rotationKey).update(presented).digest('base64url');
        const childId = randomUUID();
        const expiresAt = new Date(now.getTime() + refreshTtlMs);
        const [, , , users] = await Promise.all([
          tx`update refresh_tokens set rotated_at = ${now} where id = ${token.id}`,
          tx`insert into refresh_tokens (id, session_id, user_id, token_hash, parent_id,
               issued_at, expires_at)
             values (${childId}, ${token.session_id}, ${token.user_id}, ${sha256(child)},
               ${token.id}, ${now}, ${expiresAt})`,
          tx`update sessions set last_used_at = ${now}, expires_at = ${expiresAt}
             where id = ${token.session_id}`,
          tx`select u.id, u.email, u.email_verified, u.role, u.account_status,
               u.language_preference, u.time_zone, u.created_at, u.last_login_at,
               u.sign_in_alerts,
               exists (select 1 from mfa_totp m
                       where m.user_id = u.id and m.confirmed_at is not null) as mfa_enabled,
               p.display_name, p.preferences, p.settings
             from users u left join user_profiles p on p.user_id = u.id
             where u.id = ${token.user_id}`,
          tx`commit`,
        ]);
        const user = users[0]!;
        const issuedAt = Math.floor(now.getTime() / 1000);
        const accessToken = await new SignJWT({
          sid: token.session_id as string,
          role: token.role as string,
          scope: scopesForRole(token.role as Role).join(' '),
          typ: 'access',
        })
          .setProtectedHeader({ alg: signingJwk.alg, kid: signingJwk.kid, typ: 'at+jwt' })
          .setSubject(token.user_id as string)
          .setJti(childId)
          .setIssuer(config.issuer)
          .setAudience(config.audience)
          .setIssuedAt(issuedAt)
          .setExpirationTime(issuedAt + accessTtl)
          .sign(signingKey);
        return {
          user: {
            id: user.id,
            email: user.email,
            email_verified: user.email_verified,
            display_name: user.display_name ?? null,
            language_preference: user.language_preference,
            time_zone: user.time_zone,
            role: user.role,
            account_status: user.account_status,
            preferences: user.preferences ?? {},
            settings: user.settings ?? {},
            created_at: iso(user.created_at as Date),
            last_login_at: iso(user.last_login_at as Date | null),
            sign_in_alerts: user.sign_in_alerts,
            mfa_enabled: user.mfa_enabled,
          },
          access_token: accessToken,
          refresh_token: child,
          token_type: 'bearer',
          expires_in: accessTtl,
        };
      } catch (error) {
        await tx`rollback`.catch(() => {});
        throw error;
      } finally {
        tx.release();
      }
    },
  );
  return sql;
}
