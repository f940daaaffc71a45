// The journals suite, run once per storage backend (local directory, S3-compatible).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser, stepUp, type TestUser } from '../helpers/users.ts';
import { emotionId, freshToken } from '../helpers/emotions.ts';
import { sealed, testTextKey } from '../helpers/envelopes.ts';
import { generateJournalKey, wrapJournalKey } from '../../sdk/src/crypto.ts';
import {
  encrypt,
  metadataFor,
  multipart,
  objectsOf,
  storagePathOf,
  upload,
  uploadRecording,
  wav,
} from '../helpers/journals.ts';

export interface StorageSetup {
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Well-formed envelopes made on "the device" (test/helpers/envelopes.ts). */
const TITLE = await sealed('journal.title', 'Evening walk');
const JOURNAL_KEY = await wrapJournalKey(await generateJournalKey(), testTextKey, TITLE.id);

const mp3Frames = (): Buffer => {
  // Two MPEG-1 layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each) and some more.
  const frame = Buffer.alloc(417, 0x55);
  Buffer.from([0xff, 0xfb, 0x90, 0x64]).copy(frame);
  return Buffer.concat([frame, frame, randomBytes(2000)]);
};

export function journalSuite(backend: string, setup: () => Promise<StorageSetup>): void {
  describe(`journals on ${backend} storage`, () => {
    let t: TestApp;
    let storage: StorageSetup;
    let user: TestUser;
    let stranger: TestUser;

    beforeAll(async () => {
      storage = await setup();
      t = await createTestApp({
        start: '2026-09-01T12:00:00Z',
        env: {
          ...storage.env,
          JOURNAL_MAX_UPLOAD_BYTES: String(256 * 1024),
          JOURNAL_QUOTA_BYTES: String(600 * 1024),
        },
      });
      user = await registerUser(t, { time_zone: 'America/Bogota' });
      stranger = await registerUser(t);
    });
    afterAll(async () => {
      await t.close();
      await storage.close();
    });

    const nothingStoredFor = async (u: TestUser) => {
      expect(await count(t, 'journals', sql`user_id = ${u.id}`)).toBe(0);
      expect(await objectsOf(t, u.id)).toEqual([]);
    };

    describe('POST /v1/journals', () => {
      it('stores the ciphertext and metadata, links the pre and post check-ins and measures the shift', async () => {
        const author = await registerUser(t, { time_zone: 'America/Bogota' });
        const encrypted = encrypt(randomBytes(50_000));
        const title = await sealed('journal.title', 'Evening walk');
        const notes = await sealed('checkin.notes', 'Lighter now');
        const response = await upload(
          t,
          author.accessToken,
          metadataFor(encrypted, {
            id: title.id,
            title: title.envelope,
            journal_key: JOURNAL_KEY,
            recorded_at: '2026-09-01T02:30:00Z', // 21:30 on August 31 in Bogotá
            data_key_id: 'k1',
            pre_checkin: { emotion_type_id: await emotionId(t, 'anxiety'), intensity: 8 },
            post_checkin: {
              id: notes.id,
              emotion_type_id: await emotionId(t, 'calm'),
              intensity: 5,
              notes: notes.envelope,
            },
          }),
          encrypted.ciphertext,
        );
        expect(response.status, response.raw).toBe(201);
        const journal = response.body;
        expect(journal).toMatchObject({
          id: title.id,
          title: title.envelope,
          plaintext_fields: [],
          journal_key: JOURNAL_KEY,
          duration_seconds: 95,
          recorded_at: '2026-09-01T02:30:00.000Z',
          recorded_local_date: '2026-08-31',
          is_favorite: false,
          data_key_id: 'k1',
          encryption: { algorithm: 'AES-256-GCM', iv: encrypted.iv },
          audio: {
            format: 'aac',
            sample_rate: 44100,
            bit_rate: 64000,
            channels: 1,
            file_size: encrypted.ciphertext.length,
            checksum_sha256: encrypted.checksum,
          },
        });
        expect(journal.checkins.pre).toMatchObject({
          context: 'pre_journal',
          intensity: 8,
          related_journal_id: journal.id,
          created_at: '2026-09-01T02:30:00.000Z',
        });
        expect(journal.checkins.post).toMatchObject({
          context: 'post_journal',
          id: notes.id,
          intensity: 5,
          notes: notes.envelope,
          related_journal_id: journal.id,
        });
        // calm 0.6 × 5/10 − anxiety −0.6 × 8/10 = 0.3 + 0.48
        expect(journal.emotional_shift).toEqual({
          valence_change: 1.2,
          intensity_change: -3,
          affect_change: 0.78,
        });
        expect(
          (await t.request('GET', `/v1/journals/${journal.id}`, { token: author.accessToken }))
            .body,
        ).toEqual(journal);
        expect(await objectsOf(t, author.id)).toEqual([await storagePathOf(t, journal.id)]);
      });

      it('serves the exact ciphertext back, with ranges, ETag and the IV in headers', async () => {
        const { journal, encrypted } = await uploadRecording(t, user.accessToken, {}, 20_000);
        const full = await t.app.inject({
          method: 'GET',
          url: `/v1/journals/${journal.id}/audio`,
          headers: { authorization: `Bearer ${user.accessToken}` },
        });
        expect(full.statusCode).toBe(200);
        expect(full.rawPayload.equals(encrypted.ciphertext)).toBe(true);
        expect(full.headers).toMatchObject({
          'content-type': 'application/octet-stream',
          'x-encryption-iv': encrypted.iv,
          'x-encryption-algorithm': 'AES-256-GCM',
          etag: `"${encrypted.checksum}"`,
          'accept-ranges': 'bytes',
        });
        const part = await t.app.inject({
          method: 'GET',
          url: `/v1/journals/${journal.id}/audio`,
          headers: { authorization: `Bearer ${user.accessToken}`, range: 'bytes=100-199' },
        });
        expect(part.statusCode).toBe(206);
        expect(part.headers['content-range']).toBe(`bytes 100-199/${encrypted.ciphertext.length}`);
        expect(part.rawPayload.equals(encrypted.ciphertext.subarray(100, 200))).toBe(true);
        const tail = await t.app.inject({
          method: 'GET',
          url: `/v1/journals/${journal.id}/audio`,
          headers: { authorization: `Bearer ${user.accessToken}`, range: 'bytes=-16' },
        });
        expect(tail.rawPayload.equals(encrypted.ciphertext.subarray(-16))).toBe(true);
        const beyond = await t.request('GET', `/v1/journals/${journal.id}/audio`, {
          token: user.accessToken,
          headers: { range: 'bytes=999999-' },
        });
        expect(beyond.status).toBe(416);
        const cached = await t.request('GET', `/v1/journals/${journal.id}/audio`, {
          token: user.accessToken,
          headers: { 'if-none-match': `"${encrypted.checksum}"` },
        });
        expect(cached.status).toBe(304);
      });

      it('honours Idempotency-Key: one journal, one object', async () => {
        const author = await registerUser(t);
        const encrypted = encrypt(randomBytes(5000));
        const key = randomUUID();
        const first = await upload(
          t,
          author.accessToken,
          metadataFor(encrypted),
          encrypted.ciphertext,
          { 'idempotency-key': key },
        );
        const again = await upload(
          t,
          author.accessToken,
          metadataFor(encrypted),
          encrypted.ciphertext,
          { 'idempotency-key': key },
        );
        expect(again.status).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body.id).toBe(first.body.id);
        expect(await count(t, 'journals', sql`user_id = ${author.id}`)).toBe(1);
        expect(await objectsOf(t, author.id)).toHaveLength(1);
      });

      const refusals: [
        string,
        () => { metadata: Record<string, unknown>; audio: Buffer },
        number,
        string,
      ][] = [
        [
          'a checksum that does not match',
          () => {
            const e = encrypt(randomBytes(3000));
            return {
              metadata: metadataFor({ ...e, checksum: 'a'.repeat(64) }),
              audio: e.ciphertext,
            };
          },
          422,
          'checksum-mismatch',
        ],
        [
          'an IV that is not 12 bytes',
          () => {
            const e = encrypt(randomBytes(3000));
            return {
              metadata: metadataFor({ ...e, iv: randomBytes(16).toString('base64') }),
              audio: e.ciphertext,
            };
          },
          422,
          'invalid-iv',
        ],
        [
          'a body shorter than a GCM tag',
          () => {
            const e = encrypt(Buffer.alloc(0));
            const short = e.ciphertext.subarray(0, 10);
            return { metadata: metadataFor({ ...e, checksum: hex(short) }), audio: short };
          },
          422,
          'ciphertext-too-short',
        ],
        ['a WAV file', () => plain(wav()), 422, 'plaintext-audio'],
        [
          'an MP3 with an ID3 tag',
          () => plain(Buffer.concat([Buffer.from('ID3\x04\x00\x00'), randomBytes(3000)])),
          422,
          'plaintext-audio',
        ],
        ['bare MP3 frames', () => plain(mp3Frames()), 422, 'plaintext-audio'],
        [
          'an Ogg stream',
          () => plain(Buffer.concat([Buffer.from('OggS'), randomBytes(3000)])),
          422,
          'plaintext-audio',
        ],
        [
          'a FLAC file',
          () => plain(Buffer.concat([Buffer.from('fLaC'), randomBytes(3000)])),
          422,
          'plaintext-audio',
        ],
        [
          'an MP4/M4A file',
          () =>
            plain(
              Buffer.concat([
                Buffer.from([0, 0, 0, 0x20]),
                Buffer.from('ftypM4A '),
                randomBytes(3000),
              ]),
            ),
          422,
          'plaintext-audio',
        ],
        [
          'a WebM file',
          () => plain(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), randomBytes(3000)])),
          422,
          'plaintext-audio',
        ],
        [
          'bytes with the entropy of text',
          () => plain(Buffer.from('Hoy me sentí tranquila después de caminar. '.repeat(200))),
          422,
          'not-ciphertext',
        ],
        [
          'a recording over the size limit',
          () => {
            const e = encrypt(randomBytes(300 * 1024));
            return { metadata: metadataFor(e), audio: e.ciphertext };
          },
          413,
          'payload-too-large',
        ],
      ];
      it.each(refusals)('refuses %s and keeps nothing', async (_label, make, status, type) => {
        const author = await registerUser(t);
        const { metadata, audio } = make();
        const response = await upload(t, author.accessToken, metadata, audio);
        expect(response.status, response.raw).toBe(status);
        expect(response.body.type).toBe(`https://amirawellness.com/problems/${type}`);
        await nothingStoredFor(author);
      });

      it('refuses an IV used before by the same user (409), not by another user', async () => {
        const author = await registerUser(t);
        const { encrypted } = await uploadRecording(t, author.accessToken);
        const reused = encrypt(randomBytes(3000));
        const sameIv = metadataFor({ iv: encrypted.iv, checksum: reused.checksum });
        const response = await upload(t, author.accessToken, sameIv, reused.ciphertext);
        expect(response.status).toBe(409);
        expect(response.body.type).toBe('https://amirawellness.com/problems/iv-reused');
        expect(await count(t, 'journals', sql`user_id = ${author.id}`)).toBe(1);
        expect((await upload(t, stranger.accessToken, sameIv, reused.ciphertext)).status).toBe(201);
      });

      it('refuses a recording that does not fit in the storage quota (413), keeping the earlier ones', async () => {
        const author = await registerUser(t);
        await uploadRecording(t, author.accessToken, {}, 250 * 1024);
        await uploadRecording(t, author.accessToken, {}, 250 * 1024);
        const encrypted = encrypt(randomBytes(200 * 1024));
        const response = await upload(
          t,
          author.accessToken,
          metadataFor(encrypted),
          encrypted.ciphertext,
        );
        expect(response.status).toBe(413);
        expect(response.body.type).toBe(
          'https://amirawellness.com/problems/storage-quota-exceeded',
        );
        expect(await count(t, 'journals', sql`user_id = ${author.id}`)).toBe(2);
        expect(await objectsOf(t, author.id)).toHaveLength(2);
      });

      it.each([
        [
          'malformed metadata JSON',
          () =>
            multipart([
              { name: 'metadata', value: '{nope' },
              { name: 'audio', value: randomBytes(100), filename: 'a.bin' },
            ]),
          400,
        ],
        [
          'audio before metadata',
          () =>
            multipart([
              { name: 'audio', value: randomBytes(100), filename: 'a.bin' },
              { name: 'metadata', value: '{}' },
            ]),
          400,
        ],
        [
          'metadata without audio',
          () =>
            multipart([
              { name: 'metadata', value: JSON.stringify(metadataFor(encrypt(randomBytes(10)))) },
            ]),
          400,
        ],
        [
          'metadata missing fields',
          () =>
            multipart([
              { name: 'metadata', value: JSON.stringify({ title: 'x' }) },
              { name: 'audio', value: randomBytes(100), filename: 'a.bin' },
            ]),
          400,
        ],
        [
          'a future recording time',
          () => {
            const e = encrypt(randomBytes(3000));
            return multipart([
              {
                name: 'metadata',
                value: JSON.stringify(metadataFor(e, { recorded_at: '2027-01-01T00:00:00Z' })),
              },
              { name: 'audio', value: e.ciphertext, filename: 'a.bin' },
            ]);
          },
          422,
        ],
        [
          'a pre check-in with an unknown emotion',
          () => {
            const e = encrypt(randomBytes(3000));
            return multipart([
              {
                name: 'metadata',
                value: JSON.stringify(
                  metadataFor(e, { pre_checkin: { emotion_type_id: 999, intensity: 3 } }),
                ),
              },
              { name: 'audio', value: e.ciphertext, filename: 'a.bin' },
            ]);
          },
          422,
        ],
        ...(
          [
            ['a plaintext title', { id: randomUUID(), title: 'Evening walk' }, 400],
            [
              'a title over 800 bytes of text',
              { id: randomUUID(), title: 'AQ' + 'A'.repeat(1110) },
              400,
            ],
            ['a title without the journal id it is bound to', { title: TITLE.envelope }, 422],
            ['a journal key that is not a wrapped key', { journal_key: TITLE.envelope }, 400],
            [
              'pre check-in notes without their id',
              { pre_checkin: { emotion_type_id: 1, intensity: 3, notes: TITLE.envelope } },
              422,
            ],
          ] as const
        ).map(([label, extra, status]): [string, () => ReturnType<typeof multipart>, number] => [
          label,
          () => {
            const e = encrypt(randomBytes(3000));
            return multipart([
              { name: 'metadata', value: JSON.stringify(metadataFor(e, extra)) },
              { name: 'audio', value: e.ciphertext, filename: 'a.bin' },
            ]);
          },
          status,
        ]),
      ])('refuses %s (%i) and keeps nothing', async (_label, make, status) => {
        const author = await registerUser(t);
        const form = make();
        const response = await t.request('POST', '/v1/journals', {
          token: author.accessToken,
          body: form.body,
          headers: { 'content-type': form.contentType },
        });
        expect(response.status, response.raw).toBe(status);
        expect(response.headers['content-type']).toContain('application/problem+json');
        await nothingStoredFor(author);
      });

      it('refuses a body that is not multipart (415) and needs a token (401)', async () => {
        expect(
          (
            await t.request('POST', '/v1/journals', {
              token: user.accessToken,
              body: { title: 'x' },
            })
          ).status,
        ).toBe(415);
        const e = encrypt(randomBytes(100));
        expect((await upload(t, '', metadataFor(e), e.ciphertext)).status).toBe(401);
      });
    });

    describe('reading, filtering and managing', () => {
      let reader: TestUser;
      const ids: string[] = [];
      beforeAll(async () => {
        reader = await registerUser(t, { time_zone: 'UTC' });
        const calm = await emotionId(t, 'calm');
        const sad = await emotionId(t, 'sadness');
        const plan: [string, number, number | undefined][] = [
          ['2026-08-20T10:00:00Z', 60, sad],
          ['2026-08-25T10:00:00Z', 300, calm],
          ['2026-08-30T10:00:00Z', 30, undefined],
        ];
        for (const [at, duration, emotion] of plan) {
          const { journal } = await uploadRecording(t, reader.accessToken, {
            recorded_at: at,
            duration_seconds: duration,
            ...(emotion ? { pre_checkin: { emotion_type_id: emotion, intensity: 5 } } : {}),
          });
          ids.push(journal.id);
        }
      });

      it('lists newest recordings first with cursor pagination', async () => {
        const page1 = await t.request('GET', '/v1/journals', {
          token: reader.accessToken,
          query: { limit: 2 },
        });
        const page2 = await t.request('GET', '/v1/journals', {
          token: reader.accessToken,
          query: { limit: 2, cursor: page1.body.next_cursor },
        });
        expect([...page1.body.items, ...page2.body.items].map((j: { id: string }) => j.id)).toEqual(
          [...ids].reverse(),
        );
        expect(page2.body.next_cursor).toBeNull();
        expect(
          (await t.request('GET', '/v1/journals', { token: stranger.accessToken })).body.items.map(
            (j: { id: string }) => j.id,
          ),
        ).not.toContain(ids[0]);
      });

      it('filters by local days, favorites, emotions of the check-ins and duration', async () => {
        const filter = async (body: object) =>
          (
            await t.request('POST', '/v1/journals/filter', { token: reader.accessToken, body })
          ).body.items.map((j: { id: string }) => j.id);
        expect(await filter({ from: '2026-08-21', to: '2026-08-29' })).toEqual([ids[1]]);
        expect(await filter({ emotion_type_ids: [await emotionId(t, 'sadness')] })).toEqual([
          ids[0],
        ]);
        expect(await filter({ duration_min: 50, duration_max: 100 })).toEqual([ids[0]]);
        await t.request('PUT', `/v1/journals/${ids[2]}/favorite`, { token: reader.accessToken });
        expect(await filter({ favorites_only: true })).toEqual([ids[2]]);
        expect(
          (
            await t.request('DELETE', `/v1/journals/${ids[2]}/favorite`, {
              token: reader.accessToken,
            })
          ).body,
        ).toEqual({ id: ids[2], is_favorite: false });
        expect(await filter({ favorites_only: true })).toEqual([]);
        expect(
          (
            await t.request('POST', '/v1/journals/filter', {
              token: reader.accessToken,
              body: { from: '2026-09-01', to: '2026-08-01' },
            })
          ).status,
        ).toBe(422);
        expect(
          (
            await t.request('POST', '/v1/journals/filter', {
              token: reader.accessToken,
              body: { duration_min: -1 },
            })
          ).status,
        ).toBe(400);
      });

      it("answers 404 for another user's journal on every route, and 401 without a token", async () => {
        const id = ids[0]!;
        const attempts: [string, string][] = [
          ['GET', `/v1/journals/${id}`],
          ['GET', `/v1/journals/${id}/audio`],
          ['PUT', `/v1/journals/${id}/favorite`],
          ['DELETE', `/v1/journals/${id}/favorite`],
          ['DELETE', `/v1/journals/${id}`],
          ['POST', `/v1/journals/${id}/restore`],
          ['POST', `/v1/journals/${id}/export`],
        ];
        for (const [method, url] of attempts) {
          expect(
            (await t.request(method, url, { token: stranger.accessToken })).status,
            `${method} ${url}`,
          ).toBe(404);
          expect((await t.request(method, url)).status, `${method} ${url}`).toBe(401);
        }
        expect(
          (await t.request('GET', `/v1/journals/${id}`, { token: reader.accessToken })).status,
        ).toBe(200);
      });

      it('hides a deleted journal at once, restores it within the window, and purges it after', async () => {
        const { journal } = await uploadRecording(t, reader.accessToken);
        const deleted = await t.request('DELETE', `/v1/journals/${journal.id}`, {
          token: reader.accessToken,
        });
        expect(deleted.status).toBe(200);
        expect(
          Date.parse(deleted.body.restorable_until) - Date.parse(deleted.body.deleted_at),
        ).toBe(30 * 86_400_000);
        expect(
          (await t.request('GET', `/v1/journals/${journal.id}`, { token: reader.accessToken }))
            .status,
        ).toBe(404);
        expect(
          (
            await t.request('GET', `/v1/journals/${journal.id}/audio`, {
              token: reader.accessToken,
            })
          ).status,
        ).toBe(404);
        expect(
          (
            await t.request('POST', `/v1/journals/${journal.id}/restore`, {
              token: stranger.accessToken,
            })
          ).status,
        ).toBe(404);
        const restored = await t.request('POST', `/v1/journals/${journal.id}/restore`, {
          token: reader.accessToken,
        });
        expect(restored.status).toBe(200);
        expect(restored.body.id).toBe(journal.id);

        const stored = await storagePathOf(t, journal.id);
        await t.request('DELETE', `/v1/journals/${journal.id}`, { token: reader.accessToken });
        t.clock.advance(31 * 86_400_000);
        const token = await freshToken(t, reader);
        expect(
          (await t.request('POST', `/v1/journals/${journal.id}/restore`, { token })).status,
        ).toBe(404);
        expect(await t.modules.journals.purge()).toBe(1);
        expect(await count(t, 'journals', sql`id = ${journal.id}`)).toBe(0);
        expect(await objectsOf(t, reader.id)).not.toContain(stored);
        t.clock.set('2026-09-01T12:00:00Z');
      });

      it('exports a bundle through a signed, time-limited link; tampered and expired links are refused', async () => {
        const token = await freshToken(t, reader);
        const { journal, encrypted } = await uploadRecording(t, token, {}, 10_000);
        const link = await t.request('POST', `/v1/journals/${journal.id}/export`, { token });
        expect(link.status).toBe(200);
        expect(Date.parse(link.body.expires_at) - t.clock.now().getTime()).toBe(15 * 60 * 1000);
        const fetchBundle = async (url: string) => {
          if (url.startsWith('http://api.test/')) {
            const response = await t.app.inject({
              method: 'GET',
              url: url.slice('http://api.test'.length),
            });
            return { status: response.statusCode, body: response.rawPayload };
          }
          const response = await fetch(url);
          return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
        };
        const bundle = await fetchBundle(link.body.url);
        expect(bundle.status).toBe(200);
        const zip = await unzipper.Open.buffer(bundle.body);
        const files = Object.fromEntries(
          await Promise.all(zip.files.map(async (f) => [f.path, await f.buffer()] as const)),
        );
        expect(Object.keys(files).sort()).toEqual(['audio.bin', 'metadata.json']);
        expect(files['audio.bin']!.equals(encrypted.ciphertext)).toBe(true);
        expect(JSON.parse(files['metadata.json']!.toString()).journal).toMatchObject({
          id: journal.id,
          encryption: { iv: encrypted.iv },
        });

        if (!link.body.url.startsWith('http://api.test/')) {
          // A presigned S3 URL: S3 itself refuses tampering and expiry (s3rver, the test
          // stand-in, does not implement SigV4 verification), so check what was signed.
          const url = new URL(link.body.url);
          expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
          expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
          return;
        }
        const tampered = link.body.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
        expect((await fetchBundle(tampered)).status).toBe(403);
        {
          t.clock.advance(16 * 60 * 1000);
          const expired = await t.app.inject({
            method: 'GET',
            url: link.body.url.slice('http://api.test'.length),
          });
          expect(expired.statusCode).toBe(410);
          t.clock.set('2026-09-01T12:00:00Z');
        }
      });
    });

    describe('crash safety', () => {
      it('the sweep removes an object whose row never committed, once it is an hour old, and nothing else', async () => {
        const owner = await registerUser(t);
        const { journal } = await uploadRecording(t, owner.accessToken);
        // What a crash between the object write and the row commit leaves behind.
        const orphan = `journals/${owner.id}/${randomUUID()}.bin`;
        await t.platform.storage.put(orphan, Readable.from([randomBytes(100)]));
        // Object ages come from the storage's own clock (real time): judge them against it.
        t.clock.set(new Date());
        expect(await t.modules.journals.sweep()).toMatchObject({ orphans: 0 }); // too recent to judge
        t.clock.advance(2 * 60 * 60 * 1000);
        const swept = await t.modules.journals.sweep();
        expect(swept.orphans).toBeGreaterThanOrEqual(1);
        expect(await objectsOf(t, owner.id)).toEqual([await storagePathOf(t, journal.id)]);
        expect(
          (
            await t.app.inject({
              method: 'GET',
              url: `/v1/journals/${journal.id}/audio`,
              headers: { authorization: `Bearer ${await freshToken(t, owner)}` },
            })
          ).statusCode,
        ).toBe(200);
        t.clock.set('2026-09-01T12:00:00Z');
      });

      it('deleting the account removes every journal row and object of the user once purged', async () => {
        const leaving = await registerUser(t);
        await uploadRecording(t, leaving.accessToken);
        await uploadRecording(t, leaving.accessToken);
        await stepUp(t, leaving);
        const response = await t.request('DELETE', '/v1/users/me', { token: leaving.accessToken });
        expect(response.status).toBe(202);
        // Kept through the grace period (the owner may come back), then purged.
        expect(await objectsOf(t, leaving.id)).toHaveLength(2);
        t.clock.set(response.body.purge_after);
        expect(await t.modules.users.deletion.purgeAccount(leaving.id)).toBe(true);
        await nothingStoredFor(leaving);
        t.clock.set('2026-09-01T12:00:00Z');
      });

      it('DELETE /v1/journals removes every journal row and object of the user at once', async () => {
        const author = await registerUser(t);
        await uploadRecording(t, author.accessToken);
        await uploadRecording(t, author.accessToken);
        await stepUp(t, author);
        const response = await t.request('DELETE', '/v1/journals', { token: author.accessToken });
        expect(response.body).toEqual({ deleted: 2 });
        await nothingStoredFor(author);
        expect(await objectsOf(t, user.id)).not.toEqual([]);
      });
    });
  });
}

const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Plaintext audio sent as if it were a ciphertext (a client that forgot to encrypt). */
function plain(bytes: Buffer) {
  return {
    metadata: metadataFor({ iv: randomBytes(12).toString('base64'), checksum: hex(bytes) }),
    audio: bytes,
  };
}
