// The cryptographic primitives the protocol is built from, behind one small interface so
// that a platform without WebCrypto or WebAssembly (React Native's Hermes) can supply
// native ones: `useCryptoPrimitives(native)` once at start-up, before any other call.
// Nothing here runs at import time: the default (WebCrypto + hash-wasm's Argon2id) is made
// on first use, so an app without WebCrypto or WebAssembly can import the SDK and hook its own.
import { webCryptoPrimitives } from './webcrypto.ts';

/**
 * An AES-256 key held by the primitives: a WebCrypto CryptoKey by default, whatever
 * handle a native implementation chooses otherwise. The SDK never looks inside it.
 */
export type SecretKey = object;

/** An incremental SHA-256 (a recording's checksum is computed segment by segment). */
export interface Sha256 {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface Argon2idParams {
  memoryKib: number;
  iterations: number;
  parallelism: number;
  /** Bytes of output. */
  length: number;
}

export interface CryptoPrimitives {
  /** Argon2id (RFC 9106, version 0x13) of the UTF-8 password: raw output bytes. */
  argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array>;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** A 32-byte AES-256-GCM key. `extractable: false` for keys that only ever wrap. */
  importKey(raw: Uint8Array, extractable: boolean): Promise<SecretKey>;
  /** The raw bytes of an extractable key. */
  exportKey(key: SecretKey): Promise<Uint8Array>;
  /** AES-256-GCM with a 12-byte IV and a 16-byte tag: ciphertext ‖ tag. */
  encrypt(key: SecretKey, iv: Uint8Array, plain: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** Opens `ciphertext ‖ tag`; rejects when anything was altered. */
  decrypt(
    key: SecretKey,
    iv: Uint8Array,
    sealed: Uint8Array,
    aad?: Uint8Array,
  ): Promise<Uint8Array>;
  /** HKDF-SHA-256 (RFC 5869) with an empty salt. */
  hkdf(ikm: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /** HMAC-SHA-256. */
  hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  sha256(): Promise<Sha256>;
}

let chosen: CryptoPrimitives | undefined;

/**
 * Replaces the default primitives (React Native: a native Argon2id and AES-GCM). Call it
 * before anything else of the SDK; the test vectors (test-vectors.json) prove a replacement.
 */
export function useCryptoPrimitives(primitives: CryptoPrimitives): void {
  chosen = primitives;
}

/** The primitives in use: those given to useCryptoPrimitives, else WebCrypto + WebAssembly. */
export async function primitives(): Promise<CryptoPrimitives> {
  chosen ??= webCryptoPrimitives();
  return chosen;
}
