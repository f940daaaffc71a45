// PUT /v1/journals/{id}/audio: a recording re-encrypted on the device replaces the stored
// one (docs/encryption.md, "Recordings from before"). The same checks as an upload; a
// journal keeps its key (and its share links) or gets its first one with its title; the
// replaced object goes; nothing changes when the request is refused.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSegmented, generateJournalKey } from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { sealed } from '../helpers/envelopes.ts';
import {
  multipart,
  objectsOf,
  storagePathOf,
  uploadRecording,
  wrappedJournalKey,
} from '../helpers/journals.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp({ env: { JOURNAL_QUOTA_BYTES: String(4 * 1024 * 1024) } });
  user = await registerUser(t);
});
afterAll(() => t.close());

/** A segmented re-encryption of random audio for a journal: its metadata and bytes. */
async function reencrypted(journalId: string, bytes = 3 * 65536 + 100) {
  const sealedAudio = await encryptSegmented(
    new Uint8Array(randomBytes(bytes)),
    await generateJournalKey(),
    journalId,
  );
  return {
    ciphertext: Buffer.concat(sealedAudio.segments),
    encryption: {
      algorithm: 'AES-256-GCM-STREAM',
      iv: sealedAudio.prefix,
      checksum_sha256: sealedAudio.checksum,
    },
  };
}

function put(journalId: string, metadata: object, audio: Buffer, token = user.accessToken) {
  const form = multipart([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'audio', value: audio, filename: 'audio.bin' },
  ]);
  return t.request('PUT', `/v1/journals/${journalId}/audio`, {
    token,
    body: form.body,
    headers: { 'content-type': form.contentType },
  });
}

/** What the server holds of a journal: its row's encryption fields and its audio's bytes. */
async function stateOf(journalId: string) {
  const [row] = await rows<Record<string, unknown>>(
    t,
    sql`select j.storage_path, j.encryption_algorithm, encode(j.encryption_iv, 'base64') as iv,
          j.key_envelope, j.title, a.file_size, a.checksum
        from journals j join audio_metadata a on a.journal_id = j.id where j.id = ${journalId}`,
  );
  return row;
}

/** An old journal: whole file, no key of its own, its title under the data key. */
async function oldJournal(owner: TestUser = user) {
  const title = await sealed('journal.title', 'La semana en que todo cambió');
  const { journal, encrypted } = await uploadRecording(t, owner.accessToken, {
    id: title.id,
    title: title.envelope,
  });
  return { journal, encrypted };
}

describe('PUT /v1/journals/{id}/audio', () => {
  it('gives an old recording segments, its own key and its title under that key; the old object goes', async () => {
    const { journal } = await oldJournal();
    const oldPath = await storagePathOf(t, journal.id);
    const next = await reencrypted(journal.id);
    const title = await sealed('journal.title', 'La semana en que todo cambió', journal.id);
    const journalKey = wrappedJournalKey();
    const response = await put(
      journal.id,
      { encryption: next.encryption, journal_key: journalKey, title: title.envelope },
      next.ciphertext,
    );
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toMatchObject({
      id: journal.id,
      title: title.envelope,
      journal_key: journalKey,
      encryption: { algorithm: 'AES-256-GCM-STREAM', iv: next.encryption.iv, segment_size: 65536 },
      audio: {
        file_size: next.ciphertext.length,
        checksum_sha256: next.encryption.checksum_sha256,
      },
    });
    const audio = await t.app.inject({
      method: 'GET',
      url: `/v1/journals/${journal.id}/audio`,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(audio.rawPayload.equals(next.ciphertext)).toBe(true);
    const objects = await objectsOf(t, user.id);
    expect(objects).not.toContain(oldPath);
    expect(objects).toContain(await storagePathOf(t, journal.id));
  });

  it('keeps the key of a journal that has one, so that its share links still open', async () => {
    const keyed = wrappedJournalKey();
    const { journal } = await uploadRecording(t, user.accessToken, { journal_key: keyed });
    const share = await t.request('POST', `/v1/journals/${journal.id}/shares`, {
      token: user.accessToken,
      body: {},
    });
    const next = await reencrypted(journal.id);
    const refused = await put(
      journal.id,
      { encryption: next.encryption, journal_key: wrappedJournalKey() },
      next.ciphertext,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/\/journal-key-fixed$/);
    expect(refused.body.errors[0].pointer).toBe('#/body/metadata/journal_key');

    const response = await put(journal.id, { encryption: next.encryption }, next.ciphertext);
    expect(response.status).toBe(200);
    expect(response.body.journal_key).toBe(keyed);
    const shared = await t.app.inject({ method: 'GET', url: `/v1/shares/${share.body.id}/audio` });
    expect(shared.statusCode).toBe(200);
    expect(shared.rawPayload.equals(next.ciphertext)).toBe(true);
  });

  it.each([
    [
      'no key for a journal without one',
      async (id: string) => ({
        ...(await sealed('journal.title', 'x', id).then((s) => ({ title: s.envelope }))),
      }),
      422,
      'journal-key-required',
    ],
    [
      'the key without the title it must move',
      async () => ({ journal_key: wrappedJournalKey() }),
      422,
      'title-required',
    ],
    [
      'a plaintext title',
      async () => ({ journal_key: wrappedJournalKey(), title: 'La semana en que todo cambió' }),
      400,
      'validation-failed',
    ],
  ])('refuses %s, and changes nothing', async (_what, extra, status, code) => {
    const { journal } = await oldJournal();
    const before = await stateOf(journal.id);
    const objects = await objectsOf(t, user.id);
    const next = await reencrypted(journal.id);
    const response = await put(
      journal.id,
      { encryption: next.encryption, ...(await extra(journal.id)) },
      next.ciphertext,
    );
    expect(response.status, response.raw).toBe(status);
    expect(response.body.type).toMatch(new RegExp(`/${code}$`));
    expect(await stateOf(journal.id)).toEqual(before);
    expect(await objectsOf(t, user.id)).toEqual(objects);
  });

  it('checks the bytes as an upload does (size arithmetic, checksum, IV reuse), keeping nothing', async () => {
    const keyed = wrappedJournalKey();
    const { journal } = await uploadRecording(t, user.accessToken, { journal_key: keyed });
    const { journal: neighbour } = await uploadRecording(t, user.accessToken, {
      journal_key: wrappedJournalKey(),
    });
    const before = await stateOf(journal.id);
    const objects = await objectsOf(t, user.id);
    const next = await reencrypted(journal.id);

    const cut = await put(
      journal.id,
      { encryption: next.encryption },
      next.ciphertext.subarray(0, 65552 + 10),
    );
    expect(cut.status).toBe(422);
    expect(cut.body.type).toMatch(/\/ciphertext-size-invalid$/);
    const altered = Buffer.from(next.ciphertext);
    altered[100]! ^= 1;
    const tampered = await put(journal.id, { encryption: next.encryption }, altered);
    expect(tampered.status).toBe(422);
    expect(tampered.body.type).toMatch(/checksum/);

    await put(neighbour.id, { encryption: next.encryption }, next.ciphertext);
    const reused = await put(journal.id, { encryption: next.encryption }, next.ciphertext);
    expect(reused.status).toBe(409);
    expect(reused.body.type).toMatch(/\/iv-reused$/);

    expect(await stateOf(journal.id)).toEqual(before);
    const after = await objectsOf(t, user.id);
    // The neighbour's replacement swapped one object for another; nothing else is left.
    expect(after.length).toBe(objects.length);
    expect(after).toContain(before?.storage_path);
  });

  it('answers 404 for another user’s journal and for one in the trash, and 415 without multipart', async () => {
    const { journal } = await uploadRecording(t, user.accessToken, {
      journal_key: wrappedJournalKey(),
    });
    const before = await stateOf(journal.id);
    const next = await reencrypted(journal.id);
    const other = await registerUser(t);
    const foreign = await put(
      journal.id,
      { encryption: next.encryption },
      next.ciphertext,
      other.accessToken,
    );
    expect(foreign.status).toBe(404);
    expect(await stateOf(journal.id)).toEqual(before);
    expect(await objectsOf(t, other.id)).toEqual([]);
    const json = await t.request('PUT', `/v1/journals/${journal.id}/audio`, {
      token: user.accessToken,
      body: { encryption: next.encryption },
    });
    expect(json.status).toBe(415);
    await t.request('DELETE', `/v1/journals/${journal.id}`, { token: user.accessToken });
    const trashed = await put(journal.id, { encryption: next.encryption }, next.ciphertext);
    expect(trashed.status).toBe(404);
    expect((await put(randomUUID(), { encryption: next.encryption }, next.ciphertext)).status).toBe(
      404,
    );
  });

  it('counts the recording it replaces as free room: a full quota can still be migrated', async () => {
    const full = await registerUser(t);
    // 4 MiB of quota: one recording of 3 MB leaves less than a second copy needs.
    const { journal } = await uploadRecording(
      t,
      full.accessToken,
      { journal_key: wrappedJournalKey() },
      3_000_000,
    );
    const next = await reencrypted(journal.id, 3_000_000);
    const response = await put(
      journal.id,
      { encryption: next.encryption },
      next.ciphertext,
      full.accessToken,
    );
    expect(response.status, response.raw).toBe(200);
    const [used] = await rows<{ bytes: number }>(
      t,
      sql`select coalesce(sum(file_size), 0)::int as bytes from audio_metadata where user_id = ${full.id}`,
    );
    expect(used?.bytes).toBe(next.ciphertext.length);
    const [reservations] = await rows<{ n: number }>(
      t,
      sql`select count(*)::int as n from journal_upload_reservations where user_id = ${full.id}`,
    );
    expect(reservations?.n).toBe(0);
  });

  it('leaves one consistent recording after a burst of 5 replacements at once', async () => {
    const { journal } = await uploadRecording(t, user.accessToken, {
      journal_key: wrappedJournalKey(),
    });
    const original = await storagePathOf(t, journal.id);
    const objects = await objectsOf(t, user.id);
    const versions = await Promise.all(
      Array.from({ length: 5 }, () => reencrypted(journal.id, 70_000)),
    );
    const answers = await Promise.all(
      versions.map((v) => put(journal.id, { encryption: v.encryption }, v.ciphertext)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const state = await stateOf(journal.id);
    const winner = versions.find((v) => v.encryption.checksum_sha256 === state?.checksum);
    expect(winner).toBeDefined();
    expect(state?.iv).toBe(winner?.encryption.iv);
    const audio = await t.app.inject({
      method: 'GET',
      url: `/v1/journals/${journal.id}/audio`,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(audio.rawPayload.equals(winner!.ciphertext)).toBe(true);
    // Each replacement deleted the object before it: one object for the journal, the winner's.
    const after = await objectsOf(t, user.id);
    expect(after.length).toBe(objects.length);
    expect(after).toContain(state?.storage_path);
    expect(after).not.toContain(original);
  });
});
