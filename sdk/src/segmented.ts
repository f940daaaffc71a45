// Recordings encrypted in segments (docs/encryption.md, "Recordings"): the STREAM
// construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015), as Tink and age use it.
//
//   audio key  = HKDF-SHA256(journal key, salt = empty, info = "amira:audio:v2")
//   segment i  = AES-GCM(audio key, nonce_i, plaintext[i·64 KiB, (i+1)·64 KiB), AAD)
//   nonce_i    = prefix (7 random bytes per recording) ‖ i (uint32, big-endian) ‖ last (1 byte: 1 on the final segment)
//   AAD        = "amira:audio:v2:<journal id>"
//   file       = segment 0 ‖ segment 1 ‖ … (each 64 KiB + 16 bytes of tag; the last one shorter)
//
// The counter in the nonce makes reordered segments fail, the last flag makes a truncated
// file fail (its new final segment was not sealed as final), and the AAD makes a file moved
// to another journal fail. Segment i starts at byte i·(64 KiB + 16) of the file, so a reader
// can start anywhere with an HTTP Range, and never holds more than two segments.
import { fromBase64, toBase64, toHex } from './crypto.ts';
import { primitives, type SecretKey } from './primitives.ts';

export const SEGMENT_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const SEALED_SEGMENT_SIZE = SEGMENT_SIZE + TAG_SIZE;
export const NONCE_PREFIX_BYTES = 7;
/** The upload's `encryption.algorithm` for this format. */
export const SEGMENTED_ALGORITHM = 'AES-256-GCM-STREAM';

const encoder = new TextEncoder();

async function audioKey(journalKey: SecretKey): Promise<SecretKey> {
  const crypto = await primitives();
  const raw = await crypto.hkdf(
    await crypto.exportKey(journalKey),
    encoder.encode('amira:audio:v2'),
    32,
  );
  return crypto.importKey(raw, false);
}

function nonce(prefix: Uint8Array, index: number, last: boolean): Uint8Array {
  const out = new Uint8Array(12);
  out.set(prefix, 0);
  new DataView(out.buffer).setUint32(NONCE_PREFIX_BYTES, index, false);
  out[11] = last ? 1 : 0;
  return out;
}

const aadOf = (journalId: string) => encoder.encode(`amira:audio:v2:${journalId.toLowerCase()}`);

export interface SegmentedCiphertext {
  /** The sealed segments, in order (upload them back to back). */
  segments: Uint8Array[];
  /** base64 of the 7-byte nonce prefix: the upload's `encryption.iv`. */
  prefix: string;
  /** hex SHA-256 of the whole ciphertext. */
  checksum: string;
  /** Bytes of ciphertext. */
  size: number;
}

/** Encrypts a recording in 64 KiB segments under its journal's key. */
export async function encryptSegmented(
  audio: Uint8Array,
  journalKey: SecretKey,
  journalId: string,
): Promise<SegmentedCiphertext> {
  const crypto = await primitives();
  const key = await audioKey(journalKey);
  const prefix = crypto.randomBytes(NONCE_PREFIX_BYTES);
  const aad = aadOf(journalId);
  const hash = await crypto.sha256();
  const count = Math.max(1, Math.ceil(audio.length / SEGMENT_SIZE));
  const segments: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < count; i++) {
    const plain = audio.subarray(i * SEGMENT_SIZE, (i + 1) * SEGMENT_SIZE);
    const sealed = await crypto.encrypt(key, nonce(prefix, i, i === count - 1), plain, aad);
    hash.update(sealed);
    segments.push(sealed);
    size += sealed.length;
  }
  return { segments, prefix: toBase64(prefix), checksum: toHex(hash.digest()), size };
}

/** The ciphertext byte where plaintext byte `offset` is sealed, and that segment's index. */
export function segmentAt(offset: number): { index: number; byte: number } {
  const index = Math.floor(offset / SEGMENT_SIZE);
  return { index, byte: index * SEALED_SEGMENT_SIZE };
}

/**
 * Decrypts ciphertext arriving in any chunks, from segment `firstSegment` on (the bytes
 * given must start at that segment: see segmentAt). Errors the stream on anything altered,
 * reordered, truncated or sealed for another journal. Holds at most two segments.
 */
export function decryptSegmentedStream(
  journalKey: SecretKey,
  journalId: string,
  prefix: string,
  firstSegment = 0,
): TransformStream<Uint8Array, Uint8Array> {
  const keyPromise = audioKey(journalKey);
  const prefixBytes = fromBase64(prefix);
  if (prefixBytes.length !== NONCE_PREFIX_BYTES) throw new Error('the nonce prefix is not 7 bytes');
  const aad = aadOf(journalId);
  let pending = new Uint8Array(0);
  let index = firstSegment;
  const open = async (sealed: Uint8Array, last: boolean) =>
    (await primitives()).decrypt(await keyPromise, nonce(prefixBytes, index++, last), sealed, aad);
  return new TransformStream({
    async transform(chunk, controller) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let at = 0;
      // A whole segment with at least one byte after it is not the last one.
      while (joined.length - at > SEALED_SEGMENT_SIZE) {
        controller.enqueue(await open(joined.subarray(at, at + SEALED_SEGMENT_SIZE), false));
        at += SEALED_SEGMENT_SIZE;
      }
      pending = joined.slice(at);
    },
    async flush(controller) {
      if (pending.length < TAG_SIZE) throw new Error('the recording is truncated');
      controller.enqueue(await open(pending, true));
    },
  });
}

/** Decrypts a whole segmented recording held in memory. */
export async function decryptSegmented(
  ciphertext: Uint8Array,
  journalKey: SecretKey,
  journalId: string,
  prefix: string,
): Promise<Uint8Array> {
  const plain = new Blob([ciphertext as BlobPart])
    .stream()
    .pipeThrough(decryptSegmentedStream(journalKey, journalId, prefix));
  return new Uint8Array(await new Response(plain).arrayBuffer());
}
