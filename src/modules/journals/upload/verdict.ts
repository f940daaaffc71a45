// What the bytes received say, once stored: a ciphertext is at least a tag long, matches
// the checksum the client computed, and looks like neither plaintext audio nor anything
// else with structure (entropy). The first refusal that applies, or none.
import type { AppError } from '../../../platform/errors.ts';
import { reject } from '../errors.ts';
import { entropyTooLow, MIN_CIPHERTEXT_BYTES, type InspectionResult } from './inspection.ts';
import { SEGMENT_SIZE, type EncryptionAlgorithm } from '../schemas.ts';

const SEALED_SEGMENT = SEGMENT_SIZE + 16;

/**
 * Whether `bytes` can be a segmented ciphertext: full sealed segments, then a last one of
 * 1 to 64 Ki bytes of plaintext (or a lone empty one, for an empty recording).
 */
export function isSegmentedSize(bytes: number): boolean {
  const full = Math.floor(bytes / SEALED_SEGMENT);
  const rest = bytes % SEALED_SEGMENT;
  return rest === 0 ? full >= 1 : rest > 16 || (rest === 16 && full === 0);
}

export function refusalOf(
  inspection: InspectionResult,
  declared: { checksum: string; algorithm: EncryptionAlgorithm },
): AppError | undefined {
  if (declared.algorithm === 'AES-256-GCM-STREAM' && !isSegmentedSize(inspection.bytes)) {
    return reject(
      422,
      'ciphertext-size-invalid',
      'Not a segmented ciphertext',
      `${inspection.bytes} bytes cannot be 64 KiB segments each sealed with a 16-byte tag: the upload is cut or padded`,
      '#/body/audio',
    );
  }
  if (inspection.bytes < MIN_CIPHERTEXT_BYTES) {
    return reject(
      422,
      'ciphertext-too-short',
      'Not a ciphertext',
      `AES-GCM ciphertext is at least ${MIN_CIPHERTEXT_BYTES} bytes (16 of them the tag)`,
      '#/body/audio',
    );
  }
  if (inspection.sha256Hex !== declared.checksum) {
    return reject(
      422,
      'checksum-mismatch',
      'Checksum mismatch',
      'The SHA-256 of the bytes received does not match checksum_sha256; the upload was damaged',
      '#/body/metadata/encryption/checksum_sha256',
    );
  }
  if (inspection.plaintext) {
    return reject(
      422,
      'plaintext-audio',
      'Unencrypted audio refused',
      `The bytes look like unencrypted audio (${inspection.plaintext}); encrypt on the device before uploading`,
      '#/body/audio',
    );
  }
  if (entropyTooLow(inspection)) {
    return reject(
      422,
      'not-ciphertext',
      'Not a ciphertext',
      `The bytes are not random enough to be AES-GCM ciphertext (${inspection.entropy.toFixed(3)} bits per byte)`,
      '#/body/audio',
    );
  }
  return undefined;
}
