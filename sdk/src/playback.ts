// Reading a recording back: segmented ones decrypted while they download (from any byte,
// with HTTP Range), whole-file ones (the format before segments) in one piece.
import { decryptAudio, type SecretKey } from './crypto.ts';
import type { Result } from './operation-types.ts';
import {
  SEGMENTED_ALGORITHM,
  SEGMENT_SIZE,
  decryptSegmentedStream,
  segmentAt,
} from './segmented.ts';

/** Fetches a journal's ciphertext from a byte on (0: all of it). */
export type AudioSource = (id: string, fromByte: number) => Promise<Response>;
type JournalDetail = Result<'getJournal'>;

/** The plaintext of a segmented journal from byte `from`, decrypted as it downloads. */
export async function decryptedAudio(
  source: AudioSource,
  journal: JournalDetail,
  key: SecretKey,
  from: number,
): Promise<ReadableStream<Uint8Array>> {
  const { index, byte } = segmentAt(from);
  const response = await source(journal.id, byte);
  if (!response.body) throw new Error('the server sent no body');
  let skip = from - index * SEGMENT_SIZE;
  return response.body
    .pipeThrough(decryptSegmentedStream(key, journal.id, journal.encryption.iv, index))
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (skip >= chunk.length) {
            skip -= chunk.length;
            return;
          }
          controller.enqueue(skip > 0 ? chunk.subarray(skip) : chunk);
          skip = 0;
        },
      }),
    );
}

/** A whole recording in memory, whatever its format. */
export async function downloadAudio(
  source: AudioSource,
  journal: JournalDetail,
  key: SecretKey,
): Promise<Uint8Array> {
  if (journal.encryption.algorithm === SEGMENTED_ALGORITHM)
    return new Uint8Array(
      await new Response(await decryptedAudio(source, journal, key, 0)).arrayBuffer(),
    );
  const response = await source(journal.id, 0);
  return decryptAudio(new Uint8Array(await response.arrayBuffer()), journal.encryption.iv, key);
}
