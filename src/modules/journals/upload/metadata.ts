// The first step of an upload: checks of the metadata that need no bytes (the IV's length,
// the recording time, the pre and post check-ins as the emotions module would record them),
// so that a bad upload is refused before any byte is accepted.
import type { EmotionsService } from '../../emotions/index.ts';
import { reject } from '../errors.ts';
import type { UploadMetadata } from '../schemas.ts';

const CLOCK_SKEW_MS = 2 * 60 * 1000;

/** The decoded IV (or nonce prefix), of the length its algorithm needs; 422 otherwise. */
export function ivOf(encryption: UploadMetadata['encryption']): Buffer {
  const iv = Buffer.from(encryption.iv, 'base64');
  const segmented = encryption.algorithm === 'AES-256-GCM-STREAM';
  if (iv.length !== (segmented ? 7 : 12)) {
    throw reject(
      422,
      'invalid-iv',
      'Invalid IV',
      segmented
        ? 'A segmented recording’s nonce prefix must be 7 bytes (base64)'
        : 'The IV must be 12 bytes (base64)',
      '#/body/metadata/encryption/iv',
    );
  }
  return iv;
}

/** Returns the decoded IV and the recording time. */
export function checkMetadata(
  emotions: Pick<EmotionsService, 'validate'>,
  metadata: UploadMetadata,
  now: Date,
): { iv: Buffer; recordedAt: Date } {
  const iv = ivOf(metadata.encryption);
  if (metadata.title !== undefined && metadata.id === undefined) {
    throw reject(
      422,
      'id-required',
      'The journal id is missing',
      "An encrypted title is bound to the journal's id: send the id it was encrypted with",
      '#/body/metadata/id',
    );
  }
  const recordedAt = metadata.recorded_at ? new Date(metadata.recorded_at) : now;
  if (recordedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw reject(
      422,
      'recorded-at-in-future',
      'Invalid recording time',
      'recorded_at is in the future',
      '#/body/metadata/recorded_at',
    );
  }
  for (const part of ['pre_checkin', 'post_checkin'] as const) {
    const checkin = metadata[part];
    if (checkin)
      emotions.validate(
        { ...checkin, context: part === 'pre_checkin' ? 'pre_journal' : 'post_journal' },
        `#/body/metadata/${part}`,
      );
  }
  return { iv, recordedAt };
}
