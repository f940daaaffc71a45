// Time-limited download links for stored bundles (journal exports, full data exports). On
// S3 they are presigned URLs; with local storage the API serves the object itself at a URL
// carrying an HMAC-signed token (object key and expiry), so a tampered or expired link is
// refused without any lookup. Each kind of link signs under its own purpose: a token made
// for one route is worthless on another.
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.ts';
import { AppError, serviceUnavailable } from '../errors.ts';
import { safeEqual, type Secrets } from '../crypto/secrets.ts';
import type { ObjectStorage } from './storage.ts';

export function signDownloadToken(
  secrets: Secrets,
  purpose: string,
  key: string,
  expiresAt: Date,
): string {
  const payload = Buffer.from(
    JSON.stringify({ k: key, e: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${secrets.hmac(purpose, payload).toString('base64url')}`;
}

export type DownloadTokenCheck =
  { ok: true; key: string } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyDownloadToken(
  secrets: Secrets,
  purpose: string,
  token: string,
  now: Date,
): DownloadTokenCheck {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return { ok: false, reason: 'invalid' };
  // Compared as text, not as decoded bytes: base64url decoding ignores the spare low bits
  // of the last character, so a changed link could otherwise still match.
  const expected = secrets.hmac(purpose, payload).toString('base64url');
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

export interface DownloadLinks {
  /** A URL that downloads `key` until `expiresAt` (a presigned URL on S3). */
  url(key: string, expiresAt: Date, filename: string): Promise<string>;
  /** The object a signed token names: 403 when tampered with, 410 when expired or gone. */
  open(token: string): Promise<{ stream: Readable; filename: string }>;
}

const expired = (detail: string) => new AppError(410, 'link-expired', 'Link expired', { detail });

export function createDownloadLinks(deps: {
  secrets: Secrets;
  storage: ObjectStorage;
  clock: Clock;
  purpose: string;
  /** The public route that serves a token, without the token: `https://api/v1/…/exports/`. */
  routeUrl: string;
}): DownloadLinks {
  const { secrets, storage, clock, purpose } = deps;
  /** Storage failures are a 503 the client can retry, not a 500. */
  const fromStorage = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw serviceUnavailable('storage', 10, error);
    }
  };
  return {
    async url(key, expiresAt, filename) {
      if (storage.presignedUrl) {
        const seconds = Math.max(
          1,
          Math.ceil((expiresAt.getTime() - clock.now().getTime()) / 1000),
        );
        return fromStorage(() => storage.presignedUrl!(key, seconds, filename));
      }
      return `${deps.routeUrl}${signDownloadToken(secrets, purpose, key, expiresAt)}`;
    },
    async open(token) {
      const check = verifyDownloadToken(secrets, purpose, token, clock.now());
      if (!check.ok) {
        throw check.reason === 'expired'
          ? expired('This download link has expired; ask for a new export')
          : new AppError(403, 'link-invalid', 'Link not valid', {
              detail: 'This download link is not valid',
            });
      }
      const stream = await fromStorage(() => storage.get(check.key));
      if (!stream) throw expired('This export is no longer available');
      return { stream, filename: check.key.split('/').pop() ?? 'export.zip' };
    },
  };
}
