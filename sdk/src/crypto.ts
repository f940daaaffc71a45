// The client side of the end-to-end encryption protocol (DESIGN.md, docs/encryption.md),
// built on the primitives of primitives.ts (WebCrypto and WebAssembly by default, native
// ones on React Native). Keys never leave this module in the clear except to be wrapped.
//
//   password ──Argon2id(salt, params)──► 64 bytes ─┬─ first 32: auth key (sent as the password)
//                                                  └─ last 32:  key-encryption key (KEK), never sent
//   data key (random, 256 bits) ──AES-GCM under the KEK──► envelope "password" (stored on the server)
//   recovery key (random, shown once) ──HKDF──► recovery KEK ──► envelope "recovery"
//   audio ──AES-256-GCM under the data key, fresh 12-byte IV──► ciphertext ‖ tag
import { primitives, type SecretKey } from './primitives.ts';

export type { SecretKey } from './primitives.ts';

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
  kek: SecretKey;
}

const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const encoder = new TextEncoder();

export const toBase64 = (bytes: Uint8Array): string => {
  let text = '';
  // In slices: spreading a whole recording into fromCharCode overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
export const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => {
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = normalized + '='.repeat((4 - (normalized.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};
export const toHex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
export const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

export async function deriveKeys(password: string, params: KeyParams): Promise<DerivedKeys> {
  const crypto = await primitives();
  const derived = await crypto.argon2id(
    encoder.encode(password.normalize('NFKC')),
    fromBase64(params.salt),
    {
      memoryKib: params.memory_kib,
      iterations: params.iterations,
      parallelism: params.parallelism,
      length: 64,
    },
  );
  const kek = await crypto.importKey(derived.slice(32), false);
  return { authKey: toHex(derived.slice(0, 32)), kek };
}

/** A new random 256-bit key. Extractable only so that it can be wrapped. */
export async function generateDataKey(): Promise<SecretKey> {
  const crypto = await primitives();
  return crypto.importKey(crypto.randomBytes(32), true);
}

async function seal(plain: Uint8Array, key: SecretKey, aad?: Uint8Array): Promise<string> {
  const crypto = await primitives();
  const iv = crypto.randomBytes(IV_BYTES);
  const sealed = await crypto.encrypt(key, iv, plain, aad);
  const out = new Uint8Array(1 + IV_BYTES + sealed.length);
  out[0] = ENVELOPE_VERSION;
  out.set(iv, 1);
  out.set(sealed, 1 + IV_BYTES);
  return toBase64(out);
}

async function open(envelope: string, key: SecretKey, aad?: Uint8Array): Promise<Uint8Array> {
  const bytes = fromBase64(envelope);
  if (bytes[0] !== ENVELOPE_VERSION) throw new Error('unknown envelope version');
  const crypto = await primitives();
  return crypto.decrypt(key, bytes.slice(1, 1 + IV_BYTES), bytes.slice(1 + IV_BYTES), aad);
}

/** version (1 byte) ‖ IV (12) ‖ AES-GCM(KEK, raw data key) — base64, opaque to the server. */
export async function wrapDataKey(dataKey: SecretKey, kek: SecretKey): Promise<string> {
  return seal(await (await primitives()).exportKey(dataKey), kek);
}

export async function unwrapDataKey(envelope: string, kek: SecretKey): Promise<SecretKey> {
  if (fromBase64(envelope)[0] !== ENVELOPE_VERSION) throw new Error('unknown key envelope version');
  return (await primitives()).importKey(await open(envelope, kek), true);
}

/** A recovery key to write down: 32 random bytes, shown as 8 groups of 8 hex digits. */
export async function generateRecoveryKey(): Promise<string> {
  return toHex((await primitives()).randomBytes(32))
    .match(/.{8}/g)!
    .join('-');
}

export async function recoveryKek(recoveryKey: string): Promise<SecretKey> {
  const hex = recoveryKey.replace(/[^0-9a-f]/gi, '');
  if (hex.length !== 64) throw new Error('a recovery key has 64 hex digits');
  const crypto = await primitives();
  const raw = await crypto.hkdf(fromHex(hex), encoder.encode('amira:recovery-kek'), 32);
  return crypto.importKey(raw, false);
}

export interface EncryptedAudio {
  ciphertext: Uint8Array;
  /** base64 of the 12-byte IV. */
  iv: string;
  /** hex SHA-256 of the ciphertext. */
  checksum: string;
}

/** A whole-file recording (the format before segments): one AES-GCM, no AAD. */
export async function encryptAudio(audio: Uint8Array, key: SecretKey): Promise<EncryptedAudio> {
  const crypto = await primitives();
  const iv = crypto.randomBytes(IV_BYTES);
  const ciphertext = await crypto.encrypt(key, iv, audio);
  const hash = await crypto.sha256();
  hash.update(ciphertext);
  return { ciphertext, iv: toBase64(iv), checksum: toHex(hash.digest()) };
}

export async function decryptAudio(
  ciphertext: Uint8Array,
  iv: string,
  key: SecretKey,
): Promise<Uint8Array> {
  return (await primitives()).decrypt(key, fromBase64(iv), ciphertext);
}

/**
 * A name for a data key that reveals nothing of it (an HMAC of a fixed label under the
 * key): stored with each journal, so a client knows which key a recording needs.
 */
export async function dataKeyId(dataKey: SecretKey): Promise<string> {
  const crypto = await primitives();
  const mac = await crypto.hmac(
    await crypto.exportKey(dataKey),
    encoder.encode('amira:data-key-id'),
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

const textAad = (field: TextField, recordId: string) =>
  encoder.encode(`amira:text:v1:${field}:${recordId.toLowerCase()}`);
const journalKeyAad = (journalId: string) =>
  encoder.encode(`amira:journal-key:v1:${journalId.toLowerCase()}`);

/** Encrypts a person's text for one field of one record (a fresh IV each time). */
export function encryptText(
  text: string,
  key: SecretKey,
  field: TextField,
  recordId: string,
): Promise<string> {
  return seal(encoder.encode(text), key, textAad(field, recordId));
}

/** Opens a text envelope; fails if it was made for another record or field, or altered. */
export async function decryptText(
  envelope: string,
  key: SecretKey,
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
  journalKey: SecretKey,
  dataKey: SecretKey,
  journalId: string,
): Promise<string> {
  return seal(await (await primitives()).exportKey(journalKey), dataKey, journalKeyAad(journalId));
}

export async function unwrapJournalKey(
  envelope: string,
  dataKey: SecretKey,
  journalId: string,
): Promise<SecretKey> {
  const raw = await open(envelope, dataKey, journalKeyAad(journalId));
  return (await primitives()).importKey(raw, true);
}

/** A key from its raw bytes (a share link's fragment, a test vector). */
export async function importKey(raw: Uint8Array): Promise<SecretKey> {
  return (await primitives()).importKey(raw, true);
}

/** A random UUID (version 4) from the primitives' random source (React Native has no crypto.randomUUID). */
export async function randomId(): Promise<string> {
  const bytes = (await primitives()).randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
