// The default primitives: WebCrypto (browsers, Node.js, Deno, Bun) and hash-wasm's
// WebAssembly Argon2id and SHA-256. Loaded only when first needed (primitives.ts).
import { argon2id, createSHA256 } from 'hash-wasm';
import type { CryptoPrimitives, SecretKey } from './primitives.ts';

type Bytes = Uint8Array<ArrayBuffer>;
// WebCrypto wants ArrayBuffer-backed views; a copy is cheap next to the cipher.
const own = (bytes: Uint8Array): Bytes => new Uint8Array(bytes);
const gcm = (iv: Uint8Array, aad?: Uint8Array): AesGcmParams =>
  aad
    ? { name: 'AES-GCM', iv: own(iv), additionalData: own(aad) }
    : { name: 'AES-GCM', iv: own(iv) };

export function webCryptoPrimitives(): CryptoPrimitives {
  const webCrypto = globalThis.crypto;
  if (!webCrypto?.subtle)
    throw new Error(
      'WebCrypto is not available here: call useCryptoPrimitives() with native primitives first',
    );
  const subtle = webCrypto.subtle;
  return {
    async argon2id(password, salt, params) {
      return argon2id({
        password,
        salt,
        parallelism: params.parallelism,
        iterations: params.iterations,
        memorySize: params.memoryKib,
        hashLength: params.length,
        outputType: 'binary',
      });
    },
    randomBytes: (length) => webCrypto.getRandomValues(new Uint8Array(length)),
    importKey: (raw, extractable) =>
      subtle.importKey('raw', own(raw), { name: 'AES-GCM', length: 256 }, extractable, [
        'encrypt',
        'decrypt',
      ]),
    async exportKey(key) {
      return new Uint8Array(await subtle.exportKey('raw', key as CryptoKey));
    },
    async encrypt(key: SecretKey, iv, plain, aad) {
      return new Uint8Array(await subtle.encrypt(gcm(iv, aad), key as CryptoKey, own(plain)));
    },
    async decrypt(key: SecretKey, iv, sealed, aad) {
      return new Uint8Array(await subtle.decrypt(gcm(iv, aad), key as CryptoKey, own(sealed)));
    },
    async hkdf(ikm, info, length) {
      const material = await subtle.importKey('raw', own(ikm), 'HKDF', false, ['deriveBits']);
      const bits = await subtle.deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: own(info) },
        material,
        length * 8,
      );
      return new Uint8Array(bits);
    },
    async hmac(key, data) {
      const hmacKey = await subtle.importKey(
        'raw',
        own(key),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return new Uint8Array(await subtle.sign('HMAC', hmacKey, own(data)));
    },
    async sha256() {
      const hash = await createSHA256();
      return {
        update: (data) => void hash.update(data),
        digest: () => hash.digest('binary'),
      };
    },
  };
}
