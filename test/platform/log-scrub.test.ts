// The log safety net: fields named like secrets are censored down to three levels, the
// caller's objects stay as they were, and an error keeps what pino's serializer reads.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loggerOptions, scrubSecrets } from '../../src/platform/logger.ts';

describe('scrubSecrets', () => {
  it('censors secret fields at the top, in a child and a grandchild, and leaves the rest', () => {
    const input = {
      token: 't1',
      body: { password: 'p1', email: 'a@example.org' },
      req: { headers: { authorization: 'Bearer t2', Cookie: 'c', host: 'h' } },
      list: [{ refresh_token: 'r1' }],
      deep: { a: { b: { token: 'kept: beyond the depth looked at' } } },
      status: 200,
    };
    const before = structuredClone(input);
    expect(scrubSecrets(input)).toEqual({
      token: '[redacted]',
      body: { password: '[redacted]', email: 'a@example.org' },
      req: { headers: { authorization: '[redacted]', Cookie: '[redacted]', host: 'h' } },
      list: [{ refresh_token: '[redacted]' }],
      deep: { a: { b: { token: 'kept: beyond the depth looked at' } } },
      status: 200,
    });
    expect(input).toEqual(before);
  });

  it('returns the very object when it holds no secret', () => {
    const line = { method: 'GET', route: '/v1/emotions', status: 200, ms: 1.2 };
    expect(scrubSecrets(line)).toBe(line);
  });

  it('keeps an error an error, with its message and stack, in a real log line', () => {
    const lines: string[] = [];
    const log = pino(loggerOptions('info', false), { write: (line: string) => lines.push(line) });
    const error = Object.assign(new Error('it failed'), { token: 'secret-token' });
    log.error({ err: error, mfa_token: 'secret-mfa' }, 'boom');
    const entry = JSON.parse(lines[0]!) as { err: Record<string, unknown>; mfa_token: string };
    expect(entry.mfa_token).toBe('[redacted]');
    expect(entry.err.message).toBe('it failed');
    expect(entry.err.type).toBe('Error');
    expect(String(entry.err.stack)).toContain('it failed');
    expect(entry.err.token).toBe('[redacted]');
    expect(lines.join('')).not.toContain('secret-');
    expect(error.token).toBe('secret-token');
  });
});
