// The application secret (HMAC key material) and small hashing helpers. In embedded mode
// the secret is generated on first start into DATA_DIR/keys; production requires
// APP_SECRET. Each use derives its own key (HKDF) so that purposes never share a key.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Secrets {
  /** HMAC-SHA256 under a key derived for `purpose`. */
  hmac(purpose: string, data: string | Buffer): Buffer;
  /** AES-256-GCM under a key derived for `purpose`: for the few secrets the server must read back. */
  seal(purpose: string, plaintext: string): string;
  /** Opens what `seal` made for the same purpose; throws when it was altered. */
  open(purpose: string, sealed: string): string;
}

export function createSecrets(appSecret: Buffer): Secrets {
  const keys = new Map<string, Buffer>();
  const keyFor = (purpose: string): Buffer => {
    let key = keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', appSecret, Buffer.alloc(0), `amira:${purpose}`, 32));
      keys.set(purpose, key);
    }
    return key;
  };
  return {
    hmac: (purpose, data) => createHmac('sha256', keyFor(purpose)).update(data).digest(),
    seal(purpose, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(`seal:${purpose}`), iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, body, cipher.getAuthTag()].map((p) => p.toString('base64url'));
      return ['v1', ...parts].join('.');
    },
    open(purpose, sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || !body || !tag) throw new Error('not a sealed value');
      const decipher = createDecipheriv(
        'aes-256-gcm',
        keyFor(`seal:${purpose}`),
        Buffer.from(iv, 'base64url'),
      );
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** Reads APP_SECRET, or the generated one in DATA_DIR/keys/app-secret (creating it if absent). */
export async function loadAppSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<Buffer> {
  if (configured) return decodeSecret(configured);
  const file = path.join(dataDir, 'keys', 'app-secret');
  try {
    return decodeSecret((await readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(
    async (error: unknown) => {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  return decodeSecret((await readFile(file, 'utf8')).trim());
}

function decodeSecret(value: string): Buffer {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < 32) throw new Error('APP_SECRET must encode at least 32 bytes (base64url)');
  return bytes;
}

export const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
