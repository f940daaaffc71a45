// The client side of the end-to-end encryption protocol (DESIGN.md). Runs wherever
// WebCrypto and WebAssembly exist: browsers, React Native (with a WebCrypto polyfill),
// Node.js. Keys never leave this module in the clear except to be wrapped.
//
//   password ──Argon2id(salt, params)──► 64 bytes ─┬─ first 32: auth key (sent as the password)
//                                                  └─ last 32:  key-encryption key (KEK), never sent
//   data key (random, 256 bits) ──AES-GCM under the KEK──► envelope "password" (stored on the server)
//   recovery key (random, shown once) ──HKDF──► recovery KEK ──► envelope "recovery"
//   audio ──AES-256-GCM under the data key, fresh 12-byte IV──► ciphertext ‖ tag
import { argon2id } from 'hash-wasm';

export interface KeyParams {
  kdf: 'argon2id';
  salt: string;
  memory_kib: number;
  iterations: number;
  parallelism: number;
}

export interface DerivedKeys {
  /** Sent to the server in place of the password (hex). */
  authKey: string;
  /** Wraps the data key; stays on the device. */
  kek: CryptoKey;
}

const subtle = globalThis.crypto.subtle;
const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;

export const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
export const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => {
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = normalized + '='.repeat((4 - (normalized.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};
const toHex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const randomBytes = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));

export async function deriveKeys(password: string, params: KeyParams): Promise<DerivedKeys> {
  const derived = await argon2id({
    password: password.normalize('NFKC'),
    salt: fromBase64(params.salt),
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memory_kib,
    hashLength: 64,
    outputType: 'binary',
  });
  const kek = await subtle.importKey('raw', derived.slice(32), { name: 'AES-GCM' }, false, [
    'wrapKey',
    'unwrapKey',
  ]);
  return { authKey: toHex(derived.slice(0, 32)), kek };
}

/** A new data key. Extractable only so that it can be wrapped. */
export function generateDataKey(): Promise<CryptoKey> {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

/** version (1 byte) ‖ IV (12) ‖ AES-GCM(KEK, raw data key) — base64, opaque to the server. */
export async function wrapDataKey(dataKey: CryptoKey, kek: CryptoKey): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const wrapped = new Uint8Array(
    await subtle.wrapKey('raw', dataKey, kek, { name: 'AES-GCM', iv }),
  );
  return toBase64(new Uint8Array([ENVELOPE_VERSION, ...iv, ...wrapped]));
}

export async function unwrapDataKey(envelope: string, kek: CryptoKey): Promise<CryptoKey> {
  const bytes = fromBase64(envelope);
  if (bytes[0] !== ENVELOPE_VERSION) throw new Error('unknown key envelope version');
  return subtle.unwrapKey(
    'raw',
    bytes.slice(1 + IV_BYTES),
    kek,
    { name: 'AES-GCM', iv: bytes.slice(1, 1 + IV_BYTES) },
    { name: 'AES-GCM', length: 256 },
    true,
    ['encrypt', 'decrypt'],
  );
}

/** A recovery key to write down: 32 random bytes, shown as 8 groups of 8 hex digits. */
export function generateRecoveryKey(): string {
  return toHex(randomBytes(32)).match(/.{8}/g)!.join('-');
}

export async function recoveryKek(recoveryKey: string): Promise<CryptoKey> {
  const hex = recoveryKey.replace(/[^0-9a-f]/gi, '');
  if (hex.length !== 64) throw new Error('a recovery key has 64 hex digits');
  const material = await subtle.importKey(
    'raw',
    Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)),
    'HKDF',
    false,
    ['deriveKey'],
  );
  return subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: new TextEncoder().encode('amira:recovery-kek'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

export interface EncryptedAudio {
  ciphertext: Uint8Array;
  /** base64 of the 12-byte IV. */
  iv: string;
  /** hex SHA-256 of the ciphertext. */
  checksum: string;
}

export async function encryptAudio(
  audio: Uint8Array<ArrayBuffer>,
  dataKey: CryptoKey,
): Promise<EncryptedAudio> {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, dataKey, audio));
  const checksum = toHex(new Uint8Array(await subtle.digest('SHA-256', ciphertext)));
  return { ciphertext, iv: toBase64(iv), checksum };
}

export async function decryptAudio(
  ciphertext: Uint8Array<ArrayBuffer>,
  iv: string,
  dataKey: CryptoKey,
): Promise<Uint8Array> {
  return new Uint8Array(
    await subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, dataKey, ciphertext),
  );
}

/**
 * A name for a data key that reveals nothing of it (an HMAC of a fixed label under the
 * key): stored with each journal, so a client knows which key a recording needs.
 */
export async function dataKeyId(dataKey: CryptoKey): Promise<string> {
  const raw = await subtle.exportKey('raw', dataKey);
  const hmac = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(
    await subtle.sign('HMAC', hmac, new TextEncoder().encode('amira:data-key-id')),
  );
  return toHex(mac.slice(0, 8));
}

// Text a person writes (check-in notes, journal titles): docs/encryption.md, "Text".
//   envelope = base64( 0x01 ‖ IV (12) ‖ AES-256-GCM(key, UTF-8 text, AAD) ‖ tag (16) )
//   AAD      = "amira:text:v1:<field>:<record id>"
// The AAD binds an envelope to its record and field: moved to another check-in, or from a
// title to a note, it no longer decrypts.

/** The fields whose text is encrypted, named as in the AAD. */
export type TextField = 'checkin.notes' | 'journal.title' | 'share.label';

const encoder = new TextEncoder();
const textAad = (field: TextField, recordId: string) =>
  encoder.encode(`amira:text:v1:${field}:${recordId.toLowerCase()}`);
const journalKeyAad = (journalId: string) =>
  encoder.encode(`amira:journal-key:v1:${journalId.toLowerCase()}`);

async function seal(plain: Uint8Array<ArrayBuffer>, key: CryptoKey, aad: Uint8Array<ArrayBuffer>) {
  const iv = randomBytes(IV_BYTES);
  const sealed = new Uint8Array(
    await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, plain),
  );
  const out = new Uint8Array(1 + IV_BYTES + sealed.length);
  out[0] = ENVELOPE_VERSION;
  out.set(iv, 1);
  out.set(sealed, 1 + IV_BYTES);
  return toBase64(out);
}

async function open(envelope: string, key: CryptoKey, aad: Uint8Array<ArrayBuffer>) {
  const bytes = fromBase64(envelope);
  if (bytes[0] !== ENVELOPE_VERSION) throw new Error('unknown envelope version');
  return new Uint8Array(
    await subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(1, 1 + IV_BYTES), additionalData: aad },
      key,
      bytes.slice(1 + IV_BYTES),
    ),
  );
}

/** Encrypts a person's text for one field of one record (a fresh IV each time). */
export function encryptText(
  text: string,
  key: CryptoKey,
  field: TextField,
  recordId: string,
): Promise<string> {
  return seal(encoder.encode(text), key, textAad(field, recordId));
}

/** Opens a text envelope; fails if it was made for another record or field, or altered. */
export async function decryptText(
  envelope: string,
  key: CryptoKey,
  field: TextField,
  recordId: string,
): Promise<string> {
  return new TextDecoder('utf-8', { fatal: true }).decode(
    await open(envelope, key, textAad(field, recordId)),
  );
}

/** A journal's own key: it encrypts that journal's audio and title. */
export const generateJournalKey = generateDataKey;

/** The journal key wrapped under the data key, bound to its journal (61 bytes, base64). */
export async function wrapJournalKey(
  journalKey: CryptoKey,
  dataKey: CryptoKey,
  journalId: string,
): Promise<string> {
  const raw = new Uint8Array(await subtle.exportKey('raw', journalKey));
  return seal(raw, dataKey, journalKeyAad(journalId));
}

export async function unwrapJournalKey(
  envelope: string,
  dataKey: CryptoKey,
  journalId: string,
): Promise<CryptoKey> {
  const raw = await open(envelope, dataKey, journalKeyAad(journalId));
  return subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, true, [
    'encrypt',
    'decrypt',
  ]);
}
