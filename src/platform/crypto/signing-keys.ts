// Asymmetric keys that sign access tokens. The first key signs; every key verifies and is
// published at /.well-known/jwks.json, so a key can be rotated by putting a new one first
// and removing the old one after the access-token lifetime. Embedded mode generates a
// key into DATA_DIR/keys on first start; production requires JWT_SIGNING_KEYS.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

export interface SigningKeys {
  active: { kid: string; alg: SigningAlgorithm; key: CryptoKey };
  verification: Map<string, VerificationKey>;
  /** Public JWKs only. */
  jwks: { keys: JWK[] };
}

type PrivateJwk = JWK & { kid: string; alg: SigningAlgorithm; d: string };

function parseKeys(json: string): PrivateJwk[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('JWT_SIGNING_KEYS must be a JSON array of private JWKs');
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new Error('JWT_SIGNING_KEYS holds no key');
  return list.map((item, index) => {
    const jwk = item as Partial<PrivateJwk>;
    if (typeof jwk.kid !== 'string' || !jwk.kid)
      throw new Error(`JWT_SIGNING_KEYS[${index}]: missing kid`);
    if (!SIGNING_ALGORITHMS.includes(jwk.alg as SigningAlgorithm)) {
      throw new Error(
        `JWT_SIGNING_KEYS[${index}]: alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`,
      );
    }
    if (typeof jwk.d !== 'string') throw new Error(`JWT_SIGNING_KEYS[${index}]: not a private key`);
    return jwk as PrivateJwk;
  });
}

export async function generateSigningJwk(alg: SigningAlgorithm = 'EdDSA'): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : 'P-256',
  });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg, use: 'sig', d: jwk.d ?? '' };
}

async function readOrCreateKeyFile(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'keys', 'jwt-signing-keys.json');
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const content = JSON.stringify([await generateSigningJwk()], null, 2) + '\n';
  await writeFile(file, content, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return readFile(file, 'utf8');
}

export async function loadSigningKeys(
  configured: string | undefined,
  dataDir: string,
): Promise<SigningKeys> {
  const jwks = parseKeys(configured ?? (await readOrCreateKeyFile(dataDir)));
  const verification = new Map<string, VerificationKey>();
  const published: JWK[] = [];
  for (const jwk of jwks) {
    const { d: _private, ...publicJwk } = jwk;
    const key = (await importJWK(publicJwk, jwk.alg)) as CryptoKey;
    verification.set(jwk.kid, { kid: jwk.kid, alg: jwk.alg, key });
    published.push({ ...publicJwk, use: 'sig' });
  }
  const first = jwks[0] as PrivateJwk;
  const activeKey = (await importJWK(first, first.alg)) as CryptoKey;
  return {
    active: { kid: first.kid, alg: first.alg, key: activeKey },
    verification,
    jwks: { keys: published },
  };
}
