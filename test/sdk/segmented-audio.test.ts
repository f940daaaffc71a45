// Recordings in 64 KiB segments (docs/encryption.md, "Recordings"): the SDK seals them, the
// server checks their size arithmetic, and the SDK decrypts them while they download and
// from any point (HTTP Range), refusing anything cut, reordered, altered or moved.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmiraClient,
  ApiError,
  SEALED_SEGMENT_SIZE,
  SEGMENT_SIZE,
  decryptSegmented,
  decryptSegmentedStream,
  encryptSegmented,
  generateJournalKey,
} from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { metadataFor, multipart } from '../helpers/journals.ts';
import { uniqueEmail } from '../helpers/users.ts';

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe('segmented encryption (SDK)', () => {
  const id = randomUUID();

  it.each([0, 1, SEGMENT_SIZE - 1, SEGMENT_SIZE, SEGMENT_SIZE + 1, 3 * SEGMENT_SIZE + 17])(
    'round-trips %i bytes, fed to the decryptor in uneven chunks',
    async (size) => {
      const key = await generateJournalKey();
      const audio = new Uint8Array(randomBytes(size));
      const sealed = await encryptSegmented(audio, key, id);
      expect(sealed.size).toBe(size + Math.max(1, Math.ceil(size / SEGMENT_SIZE)) * 16);
      const whole = concat(sealed.segments);
      // 1,000-byte chunks: segment boundaries never line up with them.
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < whole.length; at += 1000)
            controller.enqueue(whole.subarray(at, at + 1000));
          controller.close();
        },
      });
      const plain = chunks.pipeThrough(decryptSegmentedStream(key, id, sealed.prefix));
      expect(Buffer.from(await new Response(plain).arrayBuffer()).equals(audio)).toBe(true);
    },
  );

  it('refuses a recording cut at a segment boundary, reordered, altered, or moved to another journal', async () => {
    const key = await generateJournalKey();
    const audio = new Uint8Array(randomBytes(3 * SEGMENT_SIZE + 100));
    const { segments, prefix } = await encryptSegmented(audio, key, id);
    const [a, b, c, d] = segments as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const fails = (bytes: Uint8Array, journal = id) =>
      expect(decryptSegmented(bytes, key, journal, prefix)).rejects.toThrow();
    await fails(concat([a, b, c])); // the last segment dropped
    await fails(concat([a, c, b, d])); // two swapped
    const flipped = concat([a, b, c, d]);
    flipped[SEALED_SEGMENT_SIZE + 10]! ^= 1;
    await fails(flipped);
    await fails(concat([a, b, c, d]), randomUUID());
    expect(
      Buffer.from(await decryptSegmented(concat([a, b, c, d]), key, id, prefix)).equals(audio),
    ).toBe(true);
  });
});

describe('segmented recordings through the API', () => {
  let t: TestApp;
  let phone: AmiraClient;
  let token: string;
  /** The Range headers the phone sent. */
  const ranges: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({
      env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    phone = new AmiraClient({
      baseUrl: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`,
      fetch: (input, init) => {
        const range = new Headers(init?.headers).get('range');
        if (range) ranges.push(range);
        return fetch(input, init);
      },
    });
    const pair = await phone.register({
      email: uniqueEmail('segments'),
      password: 'a long quiet river at dawn',
      language: 'en',
      timeZone: 'Europe/Madrid',
    });
    token = pair.access_token;
  });
  afterAll(() => t.close());

  const audio = new Uint8Array(randomBytes(5 * SEGMENT_SIZE + 1234));
  const recording = {
    audio,
    durationSeconds: 30,
    format: 'opus',
    sampleRate: 48000,
    bitRate: 64000,
    channels: 1,
  };

  it('uploads in segments, streams back, and seeks with a Range from any byte', async () => {
    const journal = await phone.uploadJournal(recording);
    expect(journal.encryption).toMatchObject({
      algorithm: 'AES-256-GCM-STREAM',
      segment_size: SEGMENT_SIZE,
    });
    expect(Buffer.from(journal.encryption.iv, 'base64')).toHaveLength(7);
    expect(journal.audio.file_size).toBe(audio.length + 6 * 16);
    expect(Buffer.from(await phone.downloadJournal(journal.id)).equals(audio)).toBe(true);
    for (const from of [0, 1, SEGMENT_SIZE, 3 * SEGMENT_SIZE + 77, audio.length - 5]) {
      const stream = await phone.streamJournal(journal.id, { from });
      const read = Buffer.from(await new Response(stream).arrayBuffer());
      expect(read.equals(Buffer.from(audio.subarray(from))), `from ${from}`).toBe(true);
    }
  });

  it('asks the server only for the segments from the seek on', async () => {
    const journal = await phone.uploadJournal(recording);
    ranges.length = 0;
    const tail = await new Response(
      await phone.streamJournal(journal.id, { from: 4 * SEGMENT_SIZE + 10 }),
    ).arrayBuffer();
    expect(ranges).toEqual([`bytes=${4 * SEALED_SEGMENT_SIZE}-`]);
    expect(Buffer.from(tail).equals(Buffer.from(audio.subarray(4 * SEGMENT_SIZE + 10)))).toBe(true);
  });

  it('refuses a segmented upload whose size cannot be sealed segments, or whose prefix is not 7 bytes (422), keeping nothing', async () => {
    const key = await generateJournalKey();
    const journalId = randomUUID();
    const sealed = await encryptSegmented(
      new Uint8Array(randomBytes(2 * SEGMENT_SIZE)),
      key,
      journalId,
    );
    const whole = concat(sealed.segments);
    const send = async (bytes: Uint8Array, iv: string) => {
      const checksum = createHash('sha256').update(bytes).digest('hex');
      const form = multipart([
        {
          name: 'metadata',
          value: JSON.stringify(
            metadataFor(
              { iv, checksum },
              {
                encryption: { algorithm: 'AES-256-GCM-STREAM', iv, checksum_sha256: checksum },
              },
            ),
          ),
        },
        { name: 'audio', value: Buffer.from(bytes), filename: 'audio.bin' },
      ]);
      return t.request('POST', '/v1/journals', {
        token,
        body: form.body,
        headers: { 'content-type': form.contentType },
      });
    };
    const before = await count(t, 'journals');
    // Cut inside the last segment's tag: no whole number of sealed segments.
    const cut = await send(whole.subarray(0, SEALED_SEGMENT_SIZE + 10), sealed.prefix);
    expect(cut.status, cut.raw).toBe(422);
    expect(cut.body.type).toBe('https://amirawellness.com/problems/ciphertext-size-invalid');
    const twelve = await send(whole, Buffer.from(randomBytes(12)).toString('base64'));
    expect(twelve.status).toBe(422);
    expect(twelve.body.type).toBe('https://amirawellness.com/problems/invalid-iv');
    expect(await count(t, 'journals')).toBe(before);
    // The whole thing is accepted.
    expect((await send(whole, sealed.prefix)).status).toBe(201);
    expect(await count(t, 'journals')).toBe(before + 1);
  });

  it('answers an unknown recording with the API’s 404, and will not stream a whole-file one', async () => {
    await expect(phone.streamJournal(randomUUID())).rejects.toBeInstanceOf(ApiError);
    const bytes = randomBytes(4096);
    const iv = randomBytes(12).toString('base64');
    const checksum = createHash('sha256').update(bytes).digest('hex');
    const form = multipart([
      { name: 'metadata', value: JSON.stringify(metadataFor({ iv, checksum })) },
      { name: 'audio', value: bytes, filename: 'audio.bin' },
    ]);
    const whole = await t.request('POST', '/v1/journals', {
      token,
      body: form.body,
      headers: { 'content-type': form.contentType },
    });
    expect(whole.status, whole.raw).toBe(201);
    await expect(phone.streamJournal(whole.body.id)).rejects.toThrow(/not segmented/);
  });
});
