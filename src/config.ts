// The process configuration, read once from the environment (12-factor). Nothing else in
// the codebase reads process.env (enforced by lint): every setting arrives through Config.
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const PositiveInt = Type.Integer({ minimum: 1 });

const EnvSchema = Type.Object({
  NODE_ENV: Type.Union(
    [Type.Literal('development'), Type.Literal('production'), Type.Literal('test')],
    { default: 'development' },
  ),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ ...Port, default: 8000 }),
  /** Operations listener (/metrics, /docs, /openapi.json, health): 8001 in production, else off. */
  OPS_PORT: Type.Optional(Port),
  OPS_HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_MAX: Type.Integer({ ...PositiveInt, default: 10 }),
  /** Named prepared statements; turn off behind a transaction-mode PgBouncer older than 1.21. */
  DATABASE_PREPARED_STATEMENTS: Type.Boolean({ default: true }),
  /** PostgreSQL cancels a statement of ours running longer than this (ms); 0 = no limit. */
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  /** PostgreSQL ends a session whose transaction sits idle longer than this (ms); 0 = no limit. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_KEY_PREFIX: Type.String({ default: 'amira:', pattern: '^[A-Za-z0-9:_.-]{1,64}$' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ default: 'Amira Wellness <no-reply@amirawellness.com>', minLength: 3 }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  APP_LINK_BASE_URL: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9+.-]*://' })),
  APP_SECRET: Type.Optional(Type.String({ minLength: 43 })),
  JWT_SIGNING_KEYS: Type.Optional(Type.String({ minLength: 2 })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  JWT_AUDIENCE: Type.String({ default: 'amira-api', minLength: 1 }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 90, default: 14 }),
  REFRESH_REUSE_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 5 }),
  ARGON2_MEMORY_KIB: Type.Integer({ minimum: 19456, default: 19456 }),
  ARGON2_ITERATIONS: Type.Integer({ minimum: 2, default: 2 }),
  ARGON2_PARALLELISM: Type.Integer({ minimum: 1, maximum: 8, default: 1 }),
  CLIENT_KDF_MEMORY_KIB: Type.Integer({ minimum: 19456, maximum: 1048576, default: 65536 }),
  CLIENT_KDF_ITERATIONS: Type.Integer({ minimum: 2, maximum: 20, default: 3 }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  TRUST_PROXY: Type.String({ default: 'false' }),
  JOBS: Type.Union([Type.Literal('inprocess'), Type.Literal('off')], { default: 'inprocess' }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  S3_REGION: Type.String({ default: 'us-east-1', minLength: 1 }),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_SERVER_SIDE_ENCRYPTION: Type.Union(
    [Type.Literal('none'), Type.Literal('AES256'), Type.Literal('aws:kms')],
    {
      default: 'AES256',
    },
  ),
  JOURNAL_MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 * 1024 }),
  JOURNAL_QUOTA_BYTES: Type.Integer({ minimum: 1024, default: 2 * 1024 * 1024 * 1024 }),
  JOURNAL_QUOTA_BYTES_PREMIUM: Type.Integer({ minimum: 1024, default: 20 * 1024 * 1024 * 1024 }),
  JOURNAL_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  EXPORT_LINK_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 900 }),
  /** How long a re-authentication (POST /v1/auth/reauthenticate) unlocks sensitive routes. */
  STEP_UP_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 3600, default: 300 }),
  /** Days a deleted account waits (disabled, restorable by signing in) before it is purged. */
  ACCOUNT_DELETION_GRACE_DAYS: Type.Integer({ minimum: 0, maximum: 30, default: 7 }),
  /** Days a full data export stays downloadable before it is deleted. */
  DATA_EXPORT_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 30, default: 7 }),
  /** Browser origins allowed to call the API (comma-separated); none by default. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** Requests per minute per signed-in user, and per client address, across all routes. */
  RATE_LIMIT_USER_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_IP_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200 }),
  /** Load shedding: answer 503 when the event loop lags more than this (ms). */
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** OTLP/HTTP collector (e.g. http://collector:4318): request spans are exported there. Off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_SERVICE_NAME: Type.String({ default: 'amira-api', minLength: 1 }),
  /** A Firebase service-account JSON file: pushes go through FCM; else they are recorded locally. */
  FCM_SERVICE_ACCOUNT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  FCM_API_URL: Type.String({ pattern: '^https?://', default: 'https://fcm.googleapis.com' }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  host: string;
  port: number;
  /**
   * Where the operators' routes are served when not on the public port (production by
   * default): the public port then answers 404 for /metrics, /docs and /openapi.json.
   */
  ops: { host: string; port: number } | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  databasePreparedStatements: boolean;
  /** Server-side bounds on every connection we open to PostgreSQL (ms; 0 = none). */
  databaseTimeouts: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  redisUrl: string | undefined;
  /** Prefix of every Redis key (several deployments or test runs can share one Redis). */
  redisKeyPrefix: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicBaseUrl: string;
  /** Where links in emails point (the app's universal link domain or the web app). */
  appLinkBaseUrl: string;
  appSecret: string | undefined;
  jwtSigningKeys: string | undefined;
  jwt: { issuer: string; audience: string; accessTtlSeconds: number };
  refresh: { ttlDays: number; reuseGraceSeconds: number };
  argon2: { memoryKib: number; iterations: number; parallelism: number };
  /** The Argon2id parameters key-params tells clients to derive their keys with. */
  clientKdf: { memoryKib: number; iterations: number; parallelism: number };
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean | number | string[];
  jobs: Env['JOBS'];
  migrateOnStart: boolean;
  /** S3-compatible storage; local files under DATA_DIR/objects when absent. */
  s3:
    | {
        bucket: string;
        region: string;
        endpoint: string | undefined;
        forcePathStyle: boolean;
        accessKeyId: string | undefined;
        secretAccessKey: string | undefined;
        serverSideEncryption: 'AES256' | 'aws:kms' | undefined;
      }
    | undefined;
  journals: {
    maxUploadBytes: number;
    /** Storage quota per role (premium and admin get the larger one). */
    quotaBytes: { standard: number; premium: number };
    retentionDays: number;
    exportLinkTtlSeconds: number;
  };
  account: { stepUpTtlSeconds: number; deletionGraceDays: number; exportTtlDays: number };
  corsOrigins: string[];
  rateLimits: { userPerMinute: number; ipPerMinute: number };
  maxEventLoopDelayMs: number;
  /** OpenTelemetry request spans, exported over OTLP/HTTP; undefined = off. */
  tracing: { tracesUrl: string; serviceName: string } | undefined;
  /** FCM when a service account is given; otherwise pushes are recorded under DATA_DIR/push. */
  push: { provider: 'local' } | { provider: 'fcm'; serviceAccountFile: string; apiUrl: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value); // trust this many hops
  return value.split(',').map((s) => s.trim()); // addresses or CIDR ranges of the proxies
}

/** Parses and validates an environment; throws ConfigError naming each bad variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, converted)].map((error) => {
    const name = error.instancePath.replace(/^\//, '') || 'environment';
    return `${name}: ${error.message}`;
  });
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const env = converted as Env;
  const production = env.NODE_ENV === 'production';
  if (production) {
    const required = ['APP_SECRET', 'JWT_SIGNING_KEYS', 'DATABASE_URL', 'PUBLIC_BASE_URL'] as const;
    const missing = required.filter((key) => env[key] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `Invalid configuration:\n  ${missing.map((k) => `${k}: required when NODE_ENV=production`).join('\n  ')}`,
      );
    }
  }
  const opsPort = env.OPS_PORT ?? (production ? 8001 : undefined);
  if (opsPort === env.PORT)
    throw new ConfigError('Invalid configuration:\n  OPS_PORT: must differ from PORT');
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://${env.HOST}:${env.PORT}`).replace(
    /\/$/,
    '',
  );
  return {
    env: env.NODE_ENV,
    production,
    host: env.HOST,
    port: env.PORT,
    ops: opsPort === undefined ? undefined : { host: env.OPS_HOST ?? env.HOST, port: opsPort },
    dataDir: path.resolve(env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databasePreparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    databaseTimeouts: {
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    publicBaseUrl,
    appLinkBaseUrl: (env.APP_LINK_BASE_URL ?? publicBaseUrl).replace(/\/$/, ''),
    appSecret: env.APP_SECRET,
    jwtSigningKeys: env.JWT_SIGNING_KEYS,
    jwt: {
      issuer: env.JWT_ISSUER ?? publicBaseUrl,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    },
    refresh: {
      ttlDays: env.REFRESH_TOKEN_TTL_DAYS,
      reuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    },
    argon2: {
      memoryKib: env.ARGON2_MEMORY_KIB,
      iterations: env.ARGON2_ITERATIONS,
      parallelism: env.ARGON2_PARALLELISM,
    },
    clientKdf: {
      memoryKib: env.CLIENT_KDF_MEMORY_KIB,
      iterations: env.CLIENT_KDF_ITERATIONS,
      parallelism: 1,
    },
    logLevel: env.LOG_LEVEL,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    jobs: env.JOBS,
    migrateOnStart: env.MIGRATE_ON_START,
    s3: env.S3_BUCKET
      ? {
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          endpoint: env.S3_ENDPOINT,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
          accessKeyId: env.S3_ACCESS_KEY_ID,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          serverSideEncryption:
            env.S3_SERVER_SIDE_ENCRYPTION === 'none' ? undefined : env.S3_SERVER_SIDE_ENCRYPTION,
        }
      : undefined,
    journals: {
      maxUploadBytes: env.JOURNAL_MAX_UPLOAD_BYTES,
      quotaBytes: { standard: env.JOURNAL_QUOTA_BYTES, premium: env.JOURNAL_QUOTA_BYTES_PREMIUM },
      retentionDays: env.JOURNAL_RETENTION_DAYS,
      exportLinkTtlSeconds: env.EXPORT_LINK_TTL_SECONDS,
    },
    account: {
      stepUpTtlSeconds: env.STEP_UP_TTL_SECONDS,
      deletionGraceDays: env.ACCOUNT_DELETION_GRACE_DAYS,
      exportTtlDays: env.DATA_EXPORT_TTL_DAYS,
    },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim().replace(/\/$/, ''))
      .filter(Boolean),
    rateLimits: {
      userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
      ipPerMinute: env.RATE_LIMIT_IP_PER_MINUTE,
    },
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          tracesUrl: `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`,
          serviceName: env.OTEL_SERVICE_NAME,
        }
      : undefined,
    push: env.FCM_SERVICE_ACCOUNT_FILE
      ? {
          provider: 'fcm',
          serviceAccountFile: path.resolve(env.FCM_SERVICE_ACCOUNT_FILE),
          apiUrl: env.FCM_API_URL.replace(/\/$/, ''),
        }
      : { provider: 'local' },
  };
}
