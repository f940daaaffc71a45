// Object storage stopped and started again (a private S3-compatible server): journal
// uploads and downloads answer 503 + Retry-After, fast once the breaker is open; every
// other route is unaffected; it recovers by itself.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { registerUser } from '../helpers/users.ts';
import { encrypt, metadataFor, upload, uploadRecording } from '../helpers/journals.ts';
import { startS3, type S3Server } from '../helpers/s3.ts';

describe.runIf(databaseKind() === 'postgres')('object storage down and back', () => {
  let s3: S3Server;
  let t: TestApp;
  beforeAll(async () => {
    s3 = await startS3();
    t = await createTestApp({ env: s3.env });
  });
  afterAll(async () => {
    await t.close();
    await s3.close();
  });

  const breakerState = async () =>
    /circuit_breaker_state\{dependency="storage"\} ([\d.]+)/.exec(
      (await t.request('GET', '/metrics')).raw,
    )?.[1];

  it('answers 503 on journal audio only, fails fast with the breaker open, and recovers', async () => {
    const user = await registerUser(t);
    const { journal } = await uploadRecording(t, user.accessToken);
    const audio = () =>
      t.request('GET', `/v1/journals/${journal.id}/audio`, { token: user.accessToken });
    expect((await audio()).status).toBe(200);

    await s3.stop();
    for (let i = 0; i < 5; i++) {
      const response = await audio();
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(await breakerState()).toBe('1');
    const encrypted = encrypt(randomBytes(4096));
    const refused = await upload(t, user.accessToken, metadataFor(encrypted), encrypted.ciphertext);
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe('https://amirawellness.com/problems/service-unavailable');
    // Nothing half-written: the journal was not created.
    const list = await t.request('GET', '/v1/journals', { token: user.accessToken });
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual([journal.id]);
    // Everything else works.
    expect((await t.request('GET', '/v1/emotions/types')).status).toBe(200);
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(200);
    expect((await t.request('GET', '/health/ready')).body.checks.storage).toBe('failing');

    await s3.start();
    // After 10 s the breaker lets a call through, which closes it.
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await audio()).status;
    }
    expect(status).toBe(200);
    expect(await breakerState()).toBe('0');
  }, 60_000);
});
