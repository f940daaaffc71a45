// The server's side of sdk/test-vectors.json: what a Kotlin or Swift client makes from the
// vectors is what this server accepts. The key derivation is recomputed with the server's
// own Argon2 (@node-rs/argon2), every envelope passes the server's shape checks, and the
// segmented recording uploads through the real API (checksum verified) and comes back
// byte for byte.
import { readFileSync } from 'node:fs';
import { hashRaw, type Algorithm } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeyEnvelope, isTextEnvelope } from '../../src/platform/crypto/envelopes.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { multipart } from '../helpers/journals.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

const vectors = JSON.parse(readFileSync('sdk/test-vectors.json', 'utf8')) as {
  key_derivation: {
    password: string;
    salt: string;
    memory_kib: number;
    iterations: number;
    parallelism: number;
    auth_key: string;
    kek: string;
  }[];
  data_key_envelopes: { envelope: string }[];
  recovery: { envelope: string }[];
  journal_key_envelopes: { journal_id: string; envelope: string }[];
  text_envelopes: { envelope: string }[];
  segmented_audio: {
    journal_id: string;
    prefix: string;
    size: number;
    checksum_sha256: string;
    ciphertext?: string;
  }[];
};

describe('the test vectors on the server', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(() => t?.close());

  it("the server's Argon2id derives the same auth key and KEK", async () => {
    for (const vector of vectors.key_derivation) {
      const out = await hashRaw(Buffer.from(vector.password.normalize('NFKC')), {
        algorithm: 2 as Algorithm, // Argon2id (an ambient const enum)
        salt: Buffer.from(vector.salt, 'base64'),
        memoryCost: vector.memory_kib,
        timeCost: vector.iterations,
        parallelism: vector.parallelism,
        outputLen: 64,
      });
      expect([out.subarray(0, 32).toString('hex'), out.subarray(32).toString('hex')]).toEqual([
        vector.auth_key,
        vector.kek,
      ]);
    }
  });

  it('every envelope has the shape the server accepts, and no text passes as one', () => {
    const keyEnvelopes = [
      ...vectors.data_key_envelopes,
      ...vectors.recovery,
      ...vectors.journal_key_envelopes,
    ].map((v) => v.envelope);
    expect(keyEnvelopes.map(isKeyEnvelope)).toEqual(keyEnvelopes.map(() => true));
    const texts = vectors.text_envelopes.map((v) => v.envelope);
    expect(texts.map(isTextEnvelope)).toEqual(texts.map(() => true));
    expect(isTextEnvelope('Hoy me costó levantarme')).toBe(false);
  });

  it('a segmented vector uploads (checksum verified) and downloads byte for byte', async () => {
    const vector = vectors.segmented_audio.find((v) => v.ciphertext && v.size > 16)!;
    const journalKey = vectors.journal_key_envelopes.find(
      (v) => v.journal_id === vector.journal_id,
    )!;
    const send = (checksum: string) => {
      const form = multipart([
        {
          name: 'metadata',
          value: JSON.stringify({
            id: vector.journal_id,
            journal_key: journalKey.envelope,
            duration_seconds: 1,
            encryption: {
              algorithm: 'AES-256-GCM-STREAM',
              iv: vector.prefix,
              checksum_sha256: checksum,
            },
            audio: { format: 'aac', sample_rate: 44100, bit_rate: 64000, channels: 1 },
          }),
        },
        { name: 'audio', value: Buffer.from(vector.ciphertext!, 'base64'), filename: 'audio.bin' },
      ]);
      return t.request('POST', '/v1/journals', {
        token: user.accessToken,
        body: form.body,
        headers: { 'content-type': form.contentType },
      });
    };
    const altered = await send('0'.repeat(64));
    expect([altered.status, altered.body.type]).toEqual([
      422,
      'https://amirawellness.com/problems/checksum-mismatch',
    ]);
    const created = await send(vector.checksum_sha256);
    expect(created.status).toBe(201);
    expect(created.body.id).toBe(vector.journal_id);
    const audio = await t.app.inject({
      method: 'GET',
      url: `/v1/journals/${vector.journal_id}/audio`,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(audio.statusCode).toBe(200);
    expect(audio.rawPayload.toString('base64')).toBe(vector.ciphertext);
  });
});
