// The shapes of what clients encrypt end to end (docs/encryption.md). The server checks an
// envelope's shape and size, never its content: it holds no key that could open one.
//
//   text envelope: base64( version 0x01 ‖ IV (12) ‖ AES-256-GCM ciphertext ‖ tag (16) )
//   key envelope:  the same container around a wrapped 256-bit key (exactly 61 bytes)
//
// A person's words sent where an envelope belongs fail here: spaces and most punctuation
// are not base64, and a word that happens to be base64 must also decode to at least 29
// bytes starting with the version byte.

export const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** version + IV + tag: an envelope of empty text. */
export const ENVELOPE_OVERHEAD = 1 + IV_BYTES + TAG_BYTES;
const KEY_ENVELOPE_BYTES = ENVELOPE_OVERHEAD + 32;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Characters of the base64 of `bytes` bytes (padded). */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

function decodedLength(value: string): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

function hasEnvelopeShape(value: string, minBytes: number, maxBytes: number): boolean {
  if (value.length < base64Length(minBytes) || value.length > base64Length(maxBytes)) return false;
  if (!BASE64.test(value)) return false;
  const bytes = decodedLength(value);
  if (bytes < minBytes || bytes > maxBytes) return false;
  return Buffer.from(value.slice(0, 4), 'base64')[0] === ENVELOPE_VERSION;
}

/** Whether `value` has the shape of a text envelope (any size; schemas bound the length). */
export const isTextEnvelope = (value: string): boolean =>
  hasEnvelopeShape(value, ENVELOPE_OVERHEAD, Number.MAX_SAFE_INTEGER);

/** Whether `value` has the shape of a wrapped 256-bit key. */
export const isKeyEnvelope = (value: string): boolean =>
  hasEnvelopeShape(value, KEY_ENVELOPE_BYTES, KEY_ENVELOPE_BYTES);
