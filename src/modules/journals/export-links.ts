// Time-limited download links for export bundles. On S3 they are presigned URLs; with
// local storage the API serves the bundle itself at a URL carrying an HMAC-signed token
// (object key and expiry), so a tampered or expired link is refused without any lookup.
import { safeEqual, type Secrets } from '../../platform/crypto/secrets.ts';

const PURPOSE = 'export-link';

export function signExportToken(secrets: Secrets, key: string, expiresAt: Date): string {
  const payload = Buffer.from(
    JSON.stringify({ k: key, e: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${secrets.hmac(PURPOSE, payload).toString('base64url')}`;
}

export type ExportTokenCheck =
  { ok: true; key: string } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyExportToken(secrets: Secrets, token: string, now: Date): ExportTokenCheck {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return { ok: false, reason: 'invalid' };
  // Compared as text, not as decoded bytes: base64url decoding ignores the spare low bits
  // of the last character, so a changed link could otherwise still match.
  const expected = secrets.hmac(PURPOSE, payload).toString('base64url');
  if (!safeEqual(Buffer.from(expected), Buffer.from(signature)))
    return { ok: false, reason: 'invalid' };
  try {
    const { k, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      k?: unknown;
      e?: unknown;
    };
    if (typeof k !== 'string' || typeof e !== 'number') return { ok: false, reason: 'invalid' };
    if (e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, key: k };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}
