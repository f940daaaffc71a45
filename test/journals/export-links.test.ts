// Export link tokens: any change to the text of a link is refused, including the last
// character, whose spare bits base64url decoding would ignore.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/platform/crypto/secrets.ts';
import { signExportToken, verifyExportToken } from '../../src/modules/journals/export-links.ts';

const secrets = createSecrets(randomBytes(32));
const now = new Date('2026-09-01T12:00:00Z');
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('export link tokens', () => {
  it('accepts its own token until it expires', () => {
    const token = signExportToken(secrets, 'exports/u/1.zip', new Date(now.getTime() + 60_000));
    expect(verifyExportToken(secrets, token, now)).toEqual({ ok: true, key: 'exports/u/1.zip' });
    expect(verifyExportToken(secrets, token, new Date(now.getTime() + 60_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses every other last character of the signature', () => {
    const token = signExportToken(secrets, 'exports/u/2.zip', new Date(now.getTime() + 60_000));
    const last = token.at(-1)!;
    for (const c of alphabet) {
      if (c === last) continue;
      expect(verifyExportToken(secrets, token.slice(0, -1) + c, now)).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });
});
