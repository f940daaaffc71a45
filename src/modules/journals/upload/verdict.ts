// What the bytes received say, once stored: a ciphertext is at least a tag long, matches
// the checksum the client computed, and looks like neither plaintext audio nor anything
// else with structure (entropy). The first refusal that applies, or none.
import type { AppError } from '../../../platform/errors.ts';
import { reject } from '../errors.ts';
import { entropyTooLow, MIN_CIPHERTEXT_BYTES, type InspectionResult } from './inspection.ts';

export function refusalOf(
  inspection: InspectionResult,
  declaredChecksum: string,
): AppError | undefined {
  if (inspection.bytes < MIN_CIPHERTEXT_BYTES) {
    return reject(
      422,
      'ciphertext-too-short',
      'Not a ciphertext',
      `AES-GCM ciphertext is at least ${MIN_CIPHERTEXT_BYTES} bytes (16 of them the tag)`,
      '#/body/audio',
    );
  }
  if (inspection.sha256Hex !== declaredChecksum) {
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
