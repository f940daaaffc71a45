// The primitives on Node.js's own crypto (OpenSSL; Argon2id since Node 24.7), without
// WebCrypto or WebAssembly: `import { nodePrimitives } from '@amira/client/node'` and
// `useCryptoPrimitives(nodePrimitives())`. It is also the model of a React Native hook: a
// native module answering the same nine calls (see the README), proven by test-vectors.json.
import {
  argon2,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdf,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { CryptoPrimitives, SecretKey } from './primitives.ts';

const TAG_BYTES = 16;
const argon2Async = promisify(argon2);
const hkdfAsync = promisify(hkdf);

/** A key held as its bytes (Node's crypto takes raw keys). */
class RawKey {
  readonly bytes: Uint8Array;
  readonly extractable: boolean;
  constructor(bytes: Uint8Array, extractable: boolean) {
    if (bytes.length !== 32) throw new Error('an AES-256 key has 32 bytes');
    this.bytes = Uint8Array.from(bytes);
    this.extractable = extractable;
  }
}

const rawOf = (key: SecretKey): RawKey => {
  if (!(key instanceof RawKey)) throw new TypeError('not a key of these primitives');
  return key;
};

export function nodePrimitives(): CryptoPrimitives {
  return {
    async argon2id(password, salt, params) {
      const out = await argon2Async('argon2id', {
        message: password,
        nonce: salt,
        parallelism: params.parallelism,
        tagLength: params.length,
        memory: params.memoryKib,
        passes: params.iterations,
      });
      return new Uint8Array(out);
    },
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
    importKey: async (raw, extractable) => new RawKey(raw, extractable),
    async exportKey(key) {
      const raw = rawOf(key);
      if (!raw.extractable) throw new Error('this key is not extractable');
      return Uint8Array.from(raw.bytes);
    },
    async encrypt(key, iv, plain, aad) {
      const cipher = createCipheriv('aes-256-gcm', rawOf(key).bytes, iv, {
        authTagLength: TAG_BYTES,
      });
      if (aad) cipher.setAAD(aad);
      return new Uint8Array(
        Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]),
      );
    },
    async decrypt(key, iv, sealed, aad) {
      if (sealed.length < TAG_BYTES) throw new Error('the ciphertext is too short');
      const decipher = createDecipheriv('aes-256-gcm', rawOf(key).bytes, iv, {
        authTagLength: TAG_BYTES,
      });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return new Uint8Array(
        Buffer.concat([
          decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]),
      );
    },
    async hkdf(ikm, info, length) {
      return new Uint8Array(await hkdfAsync('sha256', ikm, new Uint8Array(0), info, length));
    },
    hmac: async (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
    async sha256() {
      const hash = createHash('sha256');
      return {
        update: (data) => void hash.update(data),
        digest: () => new Uint8Array(hash.digest()),
      };
    },
  };
}
