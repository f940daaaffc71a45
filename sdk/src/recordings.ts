// The multipart bodies of the two audio writes (POST /v1/journals, PUT /v1/journals/{id}/audio):
// a `metadata` part (JSON) first, then the `audio` part (the encrypted segments).
import type { RequestArgs } from './operation-types.ts';
import { SEGMENTED_ALGORITHM, type SegmentedCiphertext } from './segmented.ts';

/** A recording to upload: the plaintext audio and what describes it. */
export interface RecordingInput {
  audio: Uint8Array;
  durationSeconds: number;
  format: string;
  sampleRate: number;
  bitRate: number;
  channels: number;
  title?: string;
  recordedAt?: Date;
  preCheckin?: { emotion_type_id: number; intensity: number; notes?: string };
  postCheckin?: { emotion_type_id: number; intensity: number; notes?: string };
}

export const encryptionOf = (encrypted: SegmentedCiphertext) => ({
  algorithm: SEGMENTED_ALGORITHM,
  iv: encrypted.prefix,
  checksum_sha256: encrypted.checksum,
});

export const audioInfoOf = (input: RecordingInput) => ({
  format: input.format,
  sample_rate: input.sampleRate,
  bit_rate: input.bitRate,
  channels: input.channels,
});

/** The two parts, in the order the server reads them. */
export function uploadForm(metadata: object, encrypted: SegmentedCiphertext): FormData {
  const form = new FormData();
  form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
  form.append(
    'audio',
    new Blob(encrypted.segments as BlobPart[], { type: 'application/octet-stream' }),
    'audio.bin',
  );
  return form;
}

/** The arguments of a multipart operation: its path only (the body is the form). */
export type FormArgs<K extends 'uploadJournal' | 'replaceJournalAudio'> = Omit<
  RequestArgs<K>,
  'body'
>;
