// Recordings from before (issue 18): the SDK moves an account's whole-file recordings, and
// those without a key of their own, to segments under their own key
// (AmiraClient.migrateRecordings, PUT /v1/journals/{id}/audio). Afterwards each decrypts to
// the same audio, its title reads the same, and a share link made before keeps opening.
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmiraClient,
  decryptSegmented,
  keyOfShareLink,
  encryptText,
  generateJournalKey,
  wrapJournalKey,
  type SecretKey,
} from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { dataKeyOf, uploadWholeFile } from '../helpers/older-account.ts';
import { uniqueEmail } from '../helpers/users.ts';

describe('migrating recordings from before segments (SDK)', () => {
  let t: TestApp;
  let phone: AmiraClient;
  let token: string;
  let dataKey: SecretKey;

  beforeAll(async () => {
    t = await createTestApp({
      env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    phone = new AmiraClient({ baseUrl });
    const email = uniqueEmail('migrate');
    const password = 'rain on the window at night';
    token = (await phone.register({ email, password, language: 'es', timeZone: 'America/Lima' }))
      .access_token;
    dataKey = await dataKeyOf(t, phone, { email, password, token });
  });
  afterAll(() => t.close());

  it('moves them to segments; each decrypts the same, titles read the same, share links still open', async () => {
    // One under the data key with its title (the first SDK), one with a key of its own.
    const first = new Uint8Array(randomBytes(150_000));
    const firstId = crypto.randomUUID();
    await uploadWholeFile(t, token, first, dataKey, {
      id: firstId,
      title: await encryptText(
        'La primera vez que hablé de esto',
        dataKey,
        'journal.title',
        firstId,
      ),
    });
    const second = new Uint8Array(randomBytes(80_000));
    const secondId = crypto.randomUUID();
    const ownKey = await generateJournalKey();
    await uploadWholeFile(t, token, second, ownKey, {
      id: secondId,
      journal_key: await wrapJournalKey(ownKey, dataKey, secondId),
    });
    const { link } = await phone.createShare(await phone.getJournal({ path: { id: secondId } }));
    // And one already in segments, which stays as it is.
    const current = await phone.uploadJournal({
      audio: new Uint8Array(randomBytes(10_000)),
      durationSeconds: 5,
      format: 'opus',
      sampleRate: 48000,
      bitRate: 32000,
      channels: 1,
    });

    expect(await phone.migrateRecordings()).toBe(2);
    expect(await phone.migrateRecordings()).toBe(0);

    const migrated = await phone.getJournal({ path: { id: firstId } });
    expect(migrated.encryption.algorithm).toBe('AES-256-GCM-STREAM');
    expect(migrated.journal_key).not.toBeNull();
    expect(await phone.readTitle(migrated)).toBe('La primera vez que hablé de esto');
    expect(Buffer.from(await phone.downloadJournal(firstId)).equals(first)).toBe(true);
    const keyed = await phone.getJournal({ path: { id: secondId } });
    expect(keyed.encryption.algorithm).toBe('AES-256-GCM-STREAM');
    expect(Buffer.from(await phone.downloadJournal(secondId)).equals(second)).toBe(true);
    expect((await phone.getJournal({ path: { id: current.id } })).encryption.iv).toBe(
      current.encryption.iv,
    );

    // The link made before still carries the right key: its journal kept it.
    const shareId = new URL(link).pathname.split('/').pop()!;
    const described = await t.request('GET', `/v1/shares/${shareId}`);
    expect(described.body.encryption.algorithm).toBe('AES-256-GCM-STREAM');
    expect(described.body.audio.checksum_sha256).toBe(keyed.audio.checksum_sha256);
    const shared = await t.app.inject({ method: 'GET', url: `/v1/shares/${shareId}/audio` });
    const opened = await decryptSegmented(
      new Uint8Array(shared.rawPayload),
      (await keyOfShareLink(link))!,
      secondId,
      described.body.encryption.iv,
    );
    expect(Buffer.from(opened).equals(second)).toBe(true);
  });
});
