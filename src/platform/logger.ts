// Logger options (pino). Redaction is a safety net: request bodies and headers are not
// logged at all, and these paths cover any object that reaches a log line by mistake.
import type { LoggerOptions } from 'pino';

const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'token',
  'access_token',
  'refresh_token',
  'push_token',
  'private_key',
  'assertion',
  'key_envelope',
  'envelope',
  'notes',
  'secret',
  'mfa_token',
  'recovery_code',
  'recovery_codes',
  'otpauth_uri',
  'authorization',
  'cookie',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.map((field) => field),
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
];

export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  };
}
