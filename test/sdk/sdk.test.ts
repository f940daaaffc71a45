// The client SDK against the real server over HTTP: what a phone does end to end.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiraClient, ApiError } from '../../sdk/src/index.ts';
import { OPERATIONS } from '../../sdk/src/operations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { objectsOf, wav } from '../helpers/journals.ts';
import { uniqueEmail } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';
import { codeNow, nextCode } from '../helpers/mfa.ts';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  // Cheaper client-side key derivation than production (64 MiB, 3 passes) to keep the suite quick.
  t = await createTestApp({
    smtp: true,
    env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

const recording = () => new Uint8Array(wav(2));
const input = (audio: Uint8Array<ArrayBuffer>) => ({
  audio,
  durationSeconds: 2,
  format: 'wav',
  sampleRate: 8000,
  bitRate: 128000,
  channels: 1,
});

async function resetPassword(email: string, newPassword: string) {
  const sent = t.inbox!.messages.length;
  await fetch(`${baseUrl}/v1/auth/reset-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  await t.drainJobs();
  const mail = await t.inbox!.waitFor(
    email,
    (m) => t.inbox!.messages.indexOf(m) >= sent && /contraseña|password/.test(m.subject),
  );
  const client = new AmiraClient({ baseUrl });
  const params = await client.keyParams(email);
  const { deriveKeys } = await import('../../sdk/src/crypto.ts');
  const { authKey } = await deriveKeys(newPassword, params);
  const response = await fetch(`${baseUrl}/v1/auth/reset-password-confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: tokenFromMail(mail), new_password: authKey }),
  });
  return response.json();
}

describe('client SDK', () => {
  it('uploads a recording that downloads and decrypts to identical bytes; the server holds none of the plaintext', async () => {
    const email = uniqueEmail('sdk');
    const phone = new AmiraClient({ baseUrl });
    const registered = await phone.register({
      email,
      password: 'a quiet river at dawn',
      language: 'es',
      timeZone: 'America/Lima',
    });
    const audio = recording();
    const journal = await phone.uploadJournal({ ...input(audio), title: 'Mañana' });
    expect(journal.audio.file_size).toBe(audio.length + 16);
    expect(journal.data_key_id).toMatch(/^[0-9a-f]{16}$/);

    // Another device, another sign-in: same bytes back.
    const tablet = new AmiraClient({ baseUrl });
    await tablet.login(email, 'a quiet river at dawn');
    expect(Buffer.from(await tablet.downloadJournal(journal.id)).equals(Buffer.from(audio))).toBe(
      true,
    );

    // What the server stored is ciphertext: no RIFF header, no run of the audio samples.
    const [key] = await objectsOf(t, registered.user.id);
    const chunks: Buffer[] = [];
    for await (const chunk of (await t.platform.storage.get(key!))!) chunks.push(chunk as Buffer);
    const stored = Buffer.concat(chunks);
    expect(stored.length).toBe(audio.length + 16);
    expect(stored.includes(Buffer.from('RIFF'))).toBe(false);
    for (let offset = 44; offset < audio.length - 32; offset += 997) {
      expect(stored.includes(Buffer.from(audio.subarray(offset, offset + 32)))).toBe(false);
    }
    // The password the server saw was the derived auth key, never the password itself.
    expect(t.logs.join('\n')).not.toContain('a quiet river at dawn');
  });

  it('keeps earlier journals readable after a password change', async () => {
    const email = uniqueEmail('sdk');
    const phone = new AmiraClient({ baseUrl });
    await phone.register({
      email,
      password: 'first long password',
      language: 'en',
      timeZone: 'UTC',
    });
    const audio = recording();
    const journal = await phone.uploadJournal(input(audio));
    await phone.changePassword(email, 'first long password', 'second long password');
    const later = new AmiraClient({ baseUrl });
    await expect(later.login(email, 'first long password')).rejects.toBeInstanceOf(ApiError);
    await later.login(email, 'second long password');
    expect(Buffer.from(await later.downloadJournal(journal.id)).equals(Buffer.from(audio))).toBe(
      true,
    );
  });

  it('after a reset, the recovery key keeps journals readable; without it the API says they are not', async () => {
    const email = uniqueEmail('sdk');
    const phone = new AmiraClient({ baseUrl });
    await phone.register({
      email,
      password: 'forgettable phrase one',
      language: 'es',
      timeZone: 'UTC',
    });
    const recoveryKey = await phone.createRecoveryKey();
    expect(recoveryKey).toMatch(/^([0-9a-f]{8}-){7}[0-9a-f]{8}$/);
    const audio = recording();
    const journal = await phone.uploadJournal(input(audio));

    const reset = await resetPassword(email, 'brand new phrase two');
    expect(reset).toMatchObject({
      status: 'password_reset',
      encrypted_data: 'unreadable_without_recovery',
    });

    const signedIn = new AmiraClient({ baseUrl });
    await signedIn.login(email, 'brand new phrase two');
    expect(signedIn.canDecrypt).toBe(false); // no password envelope any more
    await signedIn.recover('brand new phrase two', email, recoveryKey);
    expect(Buffer.from(await signedIn.downloadJournal(journal.id)).equals(Buffer.from(audio))).toBe(
      true,
    );
    const again = new AmiraClient({ baseUrl });
    await again.login(email, 'brand new phrase two');
    expect(Buffer.from(await again.downloadJournal(journal.id)).equals(Buffer.from(audio))).toBe(
      true,
    );
  });

  it('without the recovery key, earlier journals cannot be decrypted; new ones use a new data key', async () => {
    const email = uniqueEmail('sdk');
    const phone = new AmiraClient({ baseUrl });
    await phone.register({
      email,
      password: 'another phrase here',
      language: 'en',
      timeZone: 'UTC',
    });
    const old = await phone.uploadJournal(input(recording()));
    await resetPassword(email, 'replacement phrase here');
    const signedIn = new AmiraClient({ baseUrl });
    await signedIn.login(email, 'replacement phrase here');
    expect(signedIn.canDecrypt).toBe(false);
    await signedIn.startNewDataKey('replacement phrase here', email);
    await expect(signedIn.downloadJournal(old.id)).rejects.toThrow();
    const fresh = await signedIn.uploadJournal(input(recording()));
    expect(fresh.data_key_id).not.toBe(old.data_key_id);
    expect((await signedIn.downloadJournal(fresh.id)).length).toBeGreaterThan(0);
  });

  it('re-authenticates with the derived key and signs in with an authenticator code', async () => {
    const email = uniqueEmail('sdk-mfa');
    const phone = new AmiraClient({ baseUrl });
    const registered = await phone.register({
      email,
      password: 'two steps to the garden',
      language: 'en',
      timeZone: 'Europe/Madrid',
    });
    const api = (method: string, path: string, body?: object) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${registered.access_token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await api('POST', '/v1/auth/mfa/totp')).status).toBe(401);
    // The server knows only the key derived from the password: the SDK derives it again.
    await phone.reauthenticate(email, 'two steps to the garden');
    const started = (await (await api('POST', '/v1/auth/mfa/totp')).json()) as { secret: string };
    const confirm = await api('POST', '/v1/auth/mfa/totp/confirm', {
      code: await codeNow(t, started.secret),
    });
    expect(confirm.status).toBe(200);

    const tablet = new AmiraClient({ baseUrl });
    await expect(tablet.login(email, 'two steps to the garden')).rejects.toThrow(
      'two-step sign-in is on',
    );
    const asked: string[] = [];
    const pair = await tablet.login(email, 'two steps to the garden', async () => {
      asked.push('code');
      return { code: await nextCode(t, started.secret) };
    });
    expect(asked).toEqual(['code']);
    expect(pair.user.email).toBe(email);
    expect(tablet.canDecrypt).toBe(true);
  });

  it('ships API types generated from the API as it is (npm run sdk:types)', async () => {
    const served = (await t.request('GET', '/openapi.json')).body;
    const shipped = JSON.parse(await readFile('sdk/openapi.json', 'utf8'));
    expect(shipped.paths).toEqual(served.paths);
    expect(shipped.components).toEqual(served.components);
    // The SDK's table of operations (sdk/src/operations.ts) was generated from this document.
    const table = Object.entries(
      served.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => [op.operationId, method.toUpperCase(), path]),
      )
      .sort();
    const generated = Object.entries(OPERATIONS)
      .map(([id, spec]) => [id, spec.method, spec.path])
      .sort();
    expect(generated).toEqual(table);
  });
});
