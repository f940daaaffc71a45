// What every limit server shares: its configuration (from the benchmark, in LIMIT_CONFIG),
// a postgres.js client on the API's database and role, scoped transactions sent in one
// flight, and access-token verification with jose. Deliberately bare: no hooks, no request
// log, no ORM, so that each limit is what this stack (Node, Fastify, postgres.js, jose,
// PostgreSQL) allows for the same work.
import { importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import postgres from 'postgres';
import { revocationCheck } from './duties.ts';

export const LIMIT_KINDS = ['list-rls', 'list-norls', 'create', 'tools', 'refresh'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

export interface LimitConfig {
  databaseUrl: string;
  poolMax: number;
  issuer: string;
  audience: string;
  /** Public JWKs of the API's signing keys (what /.well-known/jwks.json serves). */
  jwks: (JWK & { kid: string; alg: string })[];
  /** refresh only: the private signing JWK, the application secret, lifetimes. */
  signingJwk?: JWK & { kid: string; alg: string };
  appSecret?: string;
  accessTtlSeconds?: number;
  refreshTtlDays?: number;
  /** tools only: the API's Redis and key prefix (the content version lives there). */
  redisUrl?: string;
  redisKeyPrefix?: string;
  /** create only: the pg-boss queue the job rows go to (one no worker takes from). */
  jobQueue?: string;
  /**
   * Also do the two things every API request must do and a bare limit skips (see
   * duties.ts): ask Redis whether the caller's session was revoked, and log one line.
   */
  duties?: boolean;
}

export function limitConfig(): LimitConfig {
  const raw = process.env.LIMIT_CONFIG;
  if (!raw) throw new Error('LIMIT_CONFIG is not set');
  return JSON.parse(raw) as LimitConfig;
}

export type Sql = postgres.Sql;

/**
 * The pool: prepared statements (named, per connection), `timestamp without time zone`
 * read as text (local_time, as the API's Drizzle columns read it). `startup` adds startup
 * parameters (e.g. `app.system` for the limit without a scoped transaction).
 */
export function openDatabase(config: LimitConfig, startup: Record<string, string> = {}): Sql {
  return postgres(config.databaseUrl, {
    max: config.poolMax,
    prepare: true,
    idle_timeout: 0,
    onnotice: () => {},
    connection: { application_name: 'amira-bench-limit', ...startup },
    types: {
      localTimestamp: {
        to: 1114,
        from: [1114],
        serialize: (value: string) => value,
        parse: (value: string) => value,
      },
    },
  });
}

/**
 * A transaction on one connection, its statements written without waiting for answers:
 * BEGIN, the scope, the work, COMMIT travel together (one round trip when the work is one
 * flight). `work` returns the statements to send after the scope; their results come back
 * in order. A failed statement aborts the transaction; COMMIT then answers ROLLBACK, and the
 * failure is thrown.
 */
export async function inOneFlight(
  sql: Sql,
  scope: { userId: string } | 'system',
  work: (tx: postgres.ReservedSql) => PromiseLike<postgres.RowList<postgres.Row[]>>[],
): Promise<postgres.RowList<postgres.Row[]>[]> {
  const tx = await sql.reserve();
  try {
    const scoped =
      scope === 'system'
        ? tx`select set_config('app.system', 'on', true)`
        : tx`select set_config('app.user_id', ${scope.userId}, true)`;
    const [, , ...rest] = await Promise.all([tx`begin`, scoped, ...work(tx), tx`commit`]);
    return rest.slice(0, -1);
  } finally {
    tx.release();
  }
}

export interface Caller {
  userId: string;
  sessionId: string;
  exp: number;
}

/**
 * Verifies a bearer access token as the API does (the API's keys, algorithms, issuer,
 * audience, `typ` at+jwt, required claims) and, like the API, remembers a verified token
 * until its `exp` (at most 10,000). Revocation is not checked here (see docs/performance.md).
 */
export async function createVerifier(config: LimitConfig) {
  const isRevoked = config.duties ? revocationCheck(config) : undefined;
  const keys = new Map<string, { alg: string; key: CryptoKey | Uint8Array }>();
  for (const jwk of config.jwks) {
    const { d: _private, ...publicJwk } = jwk;
    keys.set(jwk.kid, { alg: jwk.alg, key: await importJWK(publicJwk, jwk.alg) });
  }
  const algorithms = [...new Set(config.jwks.map((k) => k.alg))];
  const verified = new Map<string, Caller>();
  return async (authorization: string | undefined): Promise<Caller | null> => {
    if (!authorization?.startsWith('Bearer ')) return null;
    const token = authorization.slice(7);
    const known = verified.get(token);
    if (known && known.exp * 1000 > Date.now())
      return isRevoked && (await isRevoked(known.sessionId)) ? null : known;
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? keys.get(header.kid) : undefined;
          if (!key || key.alg !== header.alg) throw new Error('unknown signing key');
          return key.key;
        },
        {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
        },
      );
      if (payload.typ !== 'access' || typeof payload.sid !== 'string') return null;
      const caller = { userId: payload.sub!, sessionId: payload.sid, exp: payload.exp! };
      if (verified.size >= 10_000) verified.delete(verified.keys().next().value!);
      verified.set(token, caller);
      return isRevoked && (await isRevoked(caller.sessionId)) ? null : caller;
    } catch {
      return null;
    }
  };
}

export const unauthorized = {
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail: 'The access token is not valid',
};
