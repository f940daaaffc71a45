// The full personal-data export: a user with data in every module asks for it (after a
// fresh proof that it is them), the job builds a zip, and what downloads holds exactly
// their data and nobody else's; the recordings decrypt with the SDK from what the zip
// holds alone; links and exports expire; account deletion takes the archives with it.
import { createHash, randomUUID } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmiraClient,
  deriveKeys,
  recoveryKek,
  unwrapDataKey,
  unwrapJournalKey,
  decryptSegmented,
  SEGMENTED_ALGORITHM,
  decryptText,
  type Checkin,
} from '../../sdk/src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { freshToken } from '../helpers/emotions.ts';
import { storagePathOf, wav } from '../helpers/journals.ts';
import { signInOnPhone } from '../helpers/notifications.ts';
import { toolId } from '../helpers/tools.ts';
import { registerUser, stepUp, uniqueEmail, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  // Cheaper client-side key derivation than production keeps the suite quick.
  t = await createTestApp({
    smtp: true,
    start: '2026-07-01T10:00:00Z',
    env: { CLIENT_KDF_MEMORY_KIB: '19456', CLIENT_KDF_ITERATIONS: '2' },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

interface Person extends TestUser {
  /** What the person typed; `password` is what the app sends (the derived auth key). */
  typed: string;
  displayName: string;
  deviceId: string;
  pushToken: string;
  note: string;
  audio: Buffer;
  journalId: string;
  shareId: string;
  journalTitle: string;
  recoveryKey: string;
  usageId: string;
  /** The person's app: it holds the keys that open their notes and titles. */
  phone: AmiraClient;
}

/** A person with something in every module, made as their phone would make it. */
async function person(label: string): Promise<Person> {
  const email = uniqueEmail(label);
  const typed = `a quiet ${label} river at dawn`;
  const displayName = `${label} ${randomUUID().slice(0, 6)}`;
  const phone = new AmiraClient({ baseUrl });
  const pair = await phone.register({
    email,
    password: typed,
    language: 'es',
    timeZone: 'America/Bogota',
    displayName,
  });
  const { authKey } = await deriveKeys(typed, await phone.keyParams(email));
  const recoveryKey = await phone.createRecoveryKey();
  const deviceId = `phone-${label}-${randomUUID().slice(0, 6)}`;
  const pushToken = `fcm-${label}-${randomUUID()}`;
  const accessToken = await signInOnPhone(
    t,
    { email, password: authKey } as TestUser,
    deviceId,
    pushToken,
  );
  const ok = async (method: string, url: string, body?: unknown) => {
    const response = await t.request(method, url, { token: accessToken, body });
    expect(response.status, `${method} ${url}: ${response.raw}`).toBeLessThan(300);
    return response.body;
  };
  await ok('PATCH', '/v1/users/me', {
    preferences: { theme: `dusk-${label}` },
    settings: { haptics: false, label },
  });
  // Commas, quotes, a line break and accents: what CSV escaping must survive.
  const note = `Cansada, pero "bien"\nmañana ${label} ${randomUUID().slice(0, 8)}`;
  await phone.createCheckin({
    emotion_type_id: 4,
    intensity: 6,
    context: 'standalone',
    notes: note,
  });
  const audio = wav(1);
  const journalTitle = `Caminata ${label}`;
  const journal = await phone.uploadJournal({
    audio: new Uint8Array(audio),
    durationSeconds: 1,
    format: 'wav',
    sampleRate: 8000,
    bitRate: 128000,
    channels: 1,
    title: journalTitle,
    preCheckin: { emotion_type_id: 2, intensity: 3 },
  });
  const { share } = await phone.createShare(journal, { label: `Para mi terapeuta ${label}` });
  const box = await toolId(t, { accessToken } as TestUser, 'box-breathing', accessToken);
  await ok('PUT', `/v1/tools/${box}/favorite`);
  const usage = await ok('POST', `/v1/tools/${box}/usage`, {
    started_at: '2026-07-01T09:50:00Z',
    completed_at: '2026-07-01T09:55:00Z',
    duration_seconds: 300,
    completion_status: 'completed',
  });
  await ok('PUT', '/v1/notifications/preferences', {
    reminder_time: '07:45',
    reminder_days: ['mon', 'wed'],
  });
  await t.drainJobs(); // activities, achievements and their notifications
  return {
    id: pair.user.id,
    email,
    password: authKey,
    typed,
    accessToken,
    refreshToken: pair.refresh_token,
    displayName,
    deviceId,
    pushToken,
    note,
    audio,
    journalId: journal.id,
    journalTitle,
    shareId: share.id,
    recoveryKey,
    usageId: usage.id,
    phone,
  };
}

const get = (who: TestUser, url: string) => t.request('GET', url, { token: who.accessToken });

/** Asks for an export with a fresh step-up; returns the 202 body. */
async function requestExport(who: TestUser) {
  await stepUp(t, who);
  const response = await t.request('POST', '/v1/users/me/export', { token: who.accessToken });
  expect(response.status, response.raw).toBe(202);
  return response.body as { id: string; status: string; progress: number };
}

async function download(url: string) {
  const response = await t.app.inject({ method: 'GET', url: url.slice('http://api.test'.length) });
  return { status: response.statusCode, body: response.rawPayload, headers: response.headers };
}

/** ZIP compression method per entry: 0 stored as it is, 8 deflated. */
const methods = new Map<string, number>();

async function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  const zip = await unzipper.Open.buffer(buffer);
  const files = new Map<string, Buffer>();
  for (const entry of zip.files) {
    if (entry.type !== 'File') continue;
    files.set(entry.path, await entry.buffer());
    methods.set(entry.path, entry.compressionMethod);
  }
  return files;
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && next === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return records;
}

describe('full data export', () => {
  let ana: Person;
  let ben: Person;
  let exportId: string;
  let files: Map<string, Buffer>;
  let downloadUrl: string;
  const json = (name: string) => JSON.parse(files.get(name)!.toString('utf8'));

  beforeAll(async () => {
    ana = await person('ana');
    ben = await person('ben');
  });

  it('needs a fresh proof that it is the owner (401 reauthentication-required) and stores nothing until then', async () => {
    const refused = await t.request('POST', '/v1/users/me/export', { token: ana.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.type).toBe('https://amirawellness.com/problems/reauthentication-required');
    expect(await count(t, 'data_exports', sql`user_id = ${ana.id}`)).toBe(0);
    const anonymous = await t.request('POST', '/v1/users/me/export');
    expect(anonymous.status).toBe(401);
  });

  it('starts one export at a time, builds it in a job, then reports it ready with a link', async () => {
    const started = await requestExport(ana);
    exportId = started.id;
    expect(started).toMatchObject({ status: 'queued', progress: 0, download_url: null });
    const expiresAt = Date.parse((started as unknown as { expires_at: string }).expires_at);
    expect(expiresAt - t.clock.now().getTime()).toBe(7 * 86_400_000);
    // Asking again while it is under way answers with the same export.
    expect((await requestExport(ana)).id).toBe(exportId);
    expect(await count(t, 'data_exports', sql`user_id = ${ana.id}`)).toBe(1);

    await t.drainJobs();
    const status = await get(ana, `/v1/users/me/export/${exportId}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: exportId, status: 'ready', progress: 100 });
    expect(status.body.completed_at).toBe(t.clock.now().toISOString());
    expect(status.body.size_bytes).toBeGreaterThan(1000);
    downloadUrl = status.body.download_url;
    expect(downloadUrl).toMatch(/^http:\/\/api\.test\/v1\/users\/me\/export\/download\//);

    const response = await download(downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.body.length).toBe(status.body.size_bytes);
    files = await unzip(response.body);
  });

  it('holds a README and one folder per module, nothing else', () => {
    const journal = `journals/${ana.journalId}`;
    expect([...files.keys()].sort()).toEqual(
      [
        'README.md',
        'account/profile.json',
        'account/security-events.json',
        'emotions/checkins.csv',
        'emotions/checkins.json',
        'journals/journals.json',
        'journals/shares.json',
        `${journal}/audio.bin`,
        `${journal}/metadata.json`,
        'notifications/inbox.json',
        'notifications/preferences.json',
        'progress/achievements.json',
        'progress/activities.json',
        'progress/streak.json',
        'tools/favorites.json',
        'tools/usage.json',
      ].sort(),
    );
    const readme = files.get('README.md')!.toString('utf8');
    for (const expected of [
      '## Español',
      '## English',
      'Argon2id',
      'AES-256-GCM',
      'amira:recovery-kek',
    ])
      expect(readme).toContain(expected);
    for (const folder of ['account', 'emotions', 'journals', 'tools', 'progress', 'notifications'])
      expect(readme).toContain(`\`${folder}/\`: `);
    expect(readme).not.toMatch(/\{\{/);
  });

  it('holds the account as the API shows it, with devices, key envelopes and key parameters, never a push token', async () => {
    const profile = json('account/profile.json');
    expect(profile.user).toEqual((await get(ana, '/v1/users/me')).body);
    expect(profile.user).toMatchObject({
      id: ana.id,
      email: ana.email,
      display_name: ana.displayName,
      time_zone: 'America/Bogota',
      language_preference: 'es',
      preferences: { theme: 'dusk-ana' },
      settings: { haptics: false, label: 'ana' },
    });
    const params = await t.request('GET', '/v1/auth/key-params', { query: { email: ana.email } });
    expect(profile.key_derivation).toEqual(params.body);
    expect(profile.key_envelopes).toEqual(
      (await get(ana, '/v1/users/me/key-envelopes')).body.items,
    );
    expect(profile.key_envelopes.map((e: { label: string }) => e.label)).toEqual([
      'password',
      'recovery',
    ]);
    expect(profile.devices).toEqual((await get(ana, '/v1/users/me/devices')).body.items);
    expect(profile.devices.map((d: { device_id: string }) => d.device_id)).toContain(ana.deviceId);
    const sessions = (await get(ana, '/v1/auth/sessions')).body.items as { id: string }[];
    expect(profile.sessions.map((x: { id: string }) => x.id)).toEqual(sessions.map((x) => x.id));
    const events = json('account/security-events.json') as { type: string }[];
    expect(events.map((e) => e.type)).toContain('data_export_requested');
  });

  it('holds every check-in as JSON and as CSV that parses back to the same values', async () => {
    const listed = (await get(ana, '/v1/emotions?limit=100')).body.items as Record<
      string,
      unknown
    >[];
    const exported = json('emotions/checkins.json') as Record<string, unknown>[];
    expect(listed).toHaveLength(2); // the standalone one and the journal's pre check-in
    expect(exported.map(({ emotion: _, ...c }) => c)).toEqual([...listed].reverse());
    const standalone = exported.find((c) => c.context === 'standalone') as Checkin;
    // The notes travel as the envelope the phone made, and open on the phone.
    expect(standalone.notes).not.toContain('Cansada');
    expect(await ana.phone.readNotes(standalone)).toBe(ana.note);
    expect(standalone).toMatchObject({
      emotion: {
        code: expect.any(String),
        name: { es: expect.any(String), en: expect.any(String) },
      },
    });

    const text = files.get('emotions/checkins.csv')!.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, ...records] = parseCsv(text.slice(1));
    expect(records).toHaveLength(exported.length);
    const byColumn = records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    exported.forEach((checkin, i) => {
      expect(byColumn[i]).toMatchObject({
        id: checkin.id,
        created_at: checkin.created_at,
        local_date: checkin.local_date,
        emotion_type_id: String(checkin.emotion_type_id),
        intensity: String(checkin.intensity),
        context: checkin.context,
        notes: checkin.notes ?? '',
        related_journal_id: checkin.related_journal_id ?? '',
      });
    });
    expect(byColumn.some((r) => r.notes === standalone.notes)).toBe(true);
  });

  it('holds each recording byte for byte as stored, and the SDK decrypts it from the zip alone', async () => {
    const audio = files.get(`journals/${ana.journalId}/audio.bin`)!;
    const chunks: Buffer[] = [];
    const stored = await t.platform.storage.get(await storagePathOf(t, ana.journalId));
    for await (const chunk of stored!) chunks.push(chunk as Buffer);
    expect(audio.equals(Buffer.concat(chunks))).toBe(true);
    // Ciphertext is kept as it is (deflating it only costs time); the JSON is compressed.
    expect(methods.get(`journals/${ana.journalId}/audio.bin`)).toBe(0);
    expect(methods.get('emotions/checkins.json')).toBe(8);

    const metadata = json(`journals/${ana.journalId}/metadata.json`);
    const {
      checkins: _c,
      emotional_shift: _s,
      ...journal
    } = (await get(ana, `/v1/journals/${ana.journalId}`)).body;
    expect(metadata).toEqual({
      ...journal,
      deleted_at: null,
      audio_file: `${ana.journalId}/audio.bin`,
    });
    expect(json('journals/journals.json')).toEqual([metadata]);
    // The share links as the API lists them, labels as envelopes the SDK opens.
    const shares = json('journals/shares.json');
    expect(shares).toEqual((await get(ana, `/v1/journals/${ana.journalId}/shares`)).body.items);
    expect(shares.map((s: { id: string }) => s.id)).toEqual([ana.shareId]);
    expect(createHash('sha256').update(audio).digest('hex')).toBe(metadata.audio.checksum_sha256);

    // Everything the decryption needs comes from the zip: key parameters, envelope, IV.
    const profile = json('account/profile.json');
    const envelope = (label: string) =>
      profile.key_envelopes.find((e: { label: string }) => e.label === label).envelope as string;
    const { kek } = await deriveKeys(ana.typed, profile.key_derivation);
    const dataKey = await unwrapDataKey(envelope('password'), kek);
    const journalKey = await unwrapJournalKey(metadata.journal_key, dataKey, ana.journalId);
    expect(metadata.encryption).toMatchObject({
      algorithm: SEGMENTED_ALGORITHM,
      segment_size: 65536,
    });
    const plain = await decryptSegmented(
      new Uint8Array(audio),
      journalKey,
      ana.journalId,
      metadata.encryption.iv,
    );
    expect(Buffer.from(plain).equals(ana.audio)).toBe(true);
    expect(await decryptText(metadata.title, journalKey, 'journal.title', ana.journalId)).toBe(
      ana.journalTitle,
    );
    // The recovery envelope opens the same data key, and so the journal's key.
    const recovered = await unwrapDataKey(envelope('recovery'), await recoveryKek(ana.recoveryKey));
    const again = await decryptSegmented(
      new Uint8Array(audio),
      await unwrapJournalKey(metadata.journal_key, recovered, ana.journalId),
      ana.journalId,
      metadata.encryption.iv,
    );
    expect(Buffer.from(again).equals(ana.audio)).toBe(true);
  });

  it('holds tool favorites and usage, achievements and streak, and notification preferences and inbox', async () => {
    const box = await toolId(t, ana, 'box-breathing');
    expect(json('tools/favorites.json')).toEqual([
      expect.objectContaining({ tool_id: box, tool_code: 'box-breathing' }),
    ]);
    const [usage] = (await get(ana, '/v1/tools/usage')).body.items;
    const { tool_name: _n, tool_code: _c, ...exportedUsage } = json('tools/usage.json')[0];
    expect(exportedUsage).toEqual(usage);
    expect(usage.id).toBe(ana.usageId);

    const earned = (await get(ana, '/v1/progress/achievements')).body.earned as { code: string }[];
    expect(earned.length).toBeGreaterThan(0);
    expect(
      json('progress/achievements.json')
        .map((a: { code: string }) => a.code)
        .sort(),
    ).toEqual(earned.map((a) => a.code).sort());
    const streak = json('progress/streak.json');
    expect(streak.current).toEqual((await get(ana, '/v1/progress/streak')).body);
    expect(streak.history).toEqual([{ from: '2026-07-01', to: '2026-07-01', days: 1 }]);
    const kinds = json('progress/activities.json')
      .map((a: { kind: string }) => a.kind)
      .sort();
    expect(kinds).toEqual(['checkin', 'checkin', 'journal', 'tool']);

    expect(json('notifications/preferences.json')).toEqual(
      (await get(ana, '/v1/notifications/preferences')).body,
    );
    expect(json('notifications/preferences.json')).toMatchObject({
      reminder_time: '07:45',
      reminder_days: ['mon', 'wed'],
    });
    const inbox = (await get(ana, '/v1/notifications?limit=100')).body.items as { id: string }[];
    expect(inbox.length).toBeGreaterThan(0);
    expect(
      json('notifications/inbox.json')
        .map((n: { id: string }) => n.id)
        .sort(),
    ).toEqual(inbox.map((n) => n.id).sort());
  });

  it("holds nothing of anyone else's, and no secret of the account's", async () => {
    const everything = Buffer.concat([...files.values()]);
    const text = everything.toString('utf8');
    for (const theirs of [
      ben.id,
      ben.email,
      ben.displayName,
      ben.deviceId,
      ben.note, // as CSV holds it
      JSON.stringify(ben.note), // as JSON holds it
      ben.journalId,
      ben.journalTitle,
      'dusk-ben',
    ])
      expect(text).not.toContain(theirs);
    const theirAudio: Buffer[] = [];
    for await (const chunk of (await t.platform.storage.get(
      await storagePathOf(t, ben.journalId),
    ))!)
      theirAudio.push(chunk as Buffer);
    expect(everything.includes(Buffer.concat(theirAudio))).toBe(false);
    // Push tokens, tokens and the auth key stay out.
    for (const secret of [
      ana.pushToken,
      ben.pushToken,
      ana.accessToken,
      ana.refreshToken,
      ana.password,
    ])
      expect(text).not.toContain(secret);
  });

  it('tells the owner by email, in their language, without the link', async () => {
    const mail = await t.inbox!.waitFor(ana.email, (m) => m.subject.includes('copia de tus datos'));
    expect(mail.text).toContain('Abrir Amira');
    expect(mail.text).toContain('https://app.test/settings/privacy');
    expect(mail.text).not.toContain('/export/download/');
    expect(mail.text).toMatch(/8 de julio de 2026/);
  });

  it('answers 404 for an export of another user, for one that does not exist, and for a malformed id', async () => {
    const theirs = await get(ben, `/v1/users/me/export/${exportId}`);
    expect(theirs.status).toBe(404);
    expect(theirs.raw).not.toContain(ana.id);
    expect((await get(ana, `/v1/users/me/export/${randomUUID()}`)).status).toBe(404);
    const bad = await get(ana, '/v1/users/me/export/not-an-id');
    expect(bad.status).toBe(404);
    expect(bad.body.type).toBe('https://amirawellness.com/problems/not-found');
    expect((await t.request('GET', `/v1/users/me/export/${exportId}`)).status).toBe(401);
  });

  it('refuses a tampered link (403), and an old one once its 15 minutes are over (410)', async () => {
    const tampered = downloadUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await download(tampered);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    // A journal export link cannot be replayed here, nor this one there.
    const token = downloadUrl.split('/').pop()!;
    expect((await download(`http://api.test/v1/journals/exports/${token}`)).status).toBe(403);

    t.clock.advance(15 * 60 * 1000);
    expect((await download(downloadUrl)).status).toBe(410);
    ana.accessToken = await freshToken(t, ana); // the access token expired with the link
    const fresh = (await get(ana, `/v1/users/me/export/${exportId}`)).body.download_url;
    expect(fresh).not.toBe(downloadUrl);
    expect((await download(fresh)).status).toBe(200);
  });

  it('deletes the export, row and archive, once it is 7 days old', async () => {
    const key = `data-exports/${ana.id}/${exportId}.zip`;
    expect(await t.platform.storage.head(key)).toBeDefined();
    const link = (await get(ana, `/v1/users/me/export/${exportId}`)).body.download_url;
    t.clock.advance(6 * 86_400_000);
    expect(await t.modules.users.dataExports.expire()).toMatchObject({ expired: 0 });
    ana.accessToken = await freshToken(t, ana);
    expect((await get(ana, `/v1/users/me/export/${exportId}`)).status).toBe(200);

    t.clock.advance(86_400_000);
    expect(await t.modules.users.dataExports.expire()).toMatchObject({ expired: 1 });
    ana.accessToken = await freshToken(t, ana);
    expect(await count(t, 'data_exports', sql`id = ${exportId}`)).toBe(0);
    expect(await t.platform.storage.head(key)).toBeUndefined();
    expect((await get(ana, `/v1/users/me/export/${exportId}`)).status).toBe(404);
    expect((await download(link)).status).toBe(410);
  });
});

describe('a long history', () => {
  it('writes every check-in and activity once, in order, across pages (ties on the same instant included)', async () => {
    const long = await registerUser(t);
    // 2,345 check-ins over more than two pages of 1,000; every five share one instant, so
    // the pages turn on the id as well as on the time.
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`
        insert into checkins (user_id, emotion_type_id, intensity, context, notes, created_at, local_time, received_at)
        select ${long.id}::uuid, 1 + i % 5, 1 + i % 10, 'standalone', 'n' || i,
               ts, ts at time zone 'UTC', ts
        from (select i, timestamptz '2026-01-01T00:00:00Z' + make_interval(mins => i / 5) as ts
              from generate_series(1, 2345) i) s`),
    );
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`
        insert into user_activities (user_id, activity_type_id, related_entity_id, occurred_at, local_date, time_zone, metadata)
        select user_id, (select id from activity_types where code = 'checkin'), id, created_at,
               local_time::date, 'UTC', '{}'::jsonb
        from checkins where user_id = ${long.id}::uuid`),
    );
    const { id } = await requestExport(long);
    await t.drainJobs();
    const url = (await get(long, `/v1/users/me/export/${id}`)).body.download_url as string;
    const zip = await unzip((await download(url)).body);

    const stored = await rows<{ id: string }>(
      t,
      sql`select id from checkins where user_id = ${long.id} order by created_at, id`,
    );
    const json = JSON.parse(zip.get('emotions/checkins.json')!.toString('utf8')) as {
      id: string;
    }[];
    expect(json.map((c) => c.id)).toEqual(stored.map((r) => r.id));
    const csv = parseCsv(
      zip
        .get('emotions/checkins.csv')!
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
    expect(csv.slice(1).map((r) => r[0])).toEqual(stored.map((r) => r.id));

    const activities = JSON.parse(zip.get('progress/activities.json')!.toString('utf8')) as {
      related_id: string;
    }[];
    const recorded = await rows<{ related: string }>(
      t,
      sql`select related_entity_id as related from user_activities
          where user_id = ${long.id} order by occurred_at, id`,
    );
    expect(recorded).toHaveLength(2345);
    expect(activities.map((a) => a.related_id)).toEqual(recorded.map((r) => r.related));
  });
});

describe('limits', () => {
  it('allows three new exports a day per user, then answers 429', async () => {
    const phone = new AmiraClient({ baseUrl });
    const email = uniqueEmail('limit');
    const pair = await phone.register({
      email,
      password: 'limit river',
      language: 'en',
      timeZone: 'UTC',
    });
    const { authKey } = await deriveKeys('limit river', await phone.keyParams(email));
    const user = {
      id: pair.user.id,
      email,
      password: authKey,
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
    };
    for (let i = 0; i < 3; i++) {
      await requestExport(user);
      await t.drainJobs();
    }
    await stepUp(t, user);
    const refused = await t.request('POST', '/v1/users/me/export', { token: user.accessToken });
    expect(refused.status).toBe(429);
    expect(refused.body.type).toBe('https://amirawellness.com/problems/rate-limited');
    expect(await count(t, 'data_exports', sql`user_id = ${user.id}`)).toBe(3);
  });
});

describe('account deletion', () => {
  it('removes the export rows and archives of the account, and no one else’s', async () => {
    const [carla, dora] = [await registerUser(t), await registerUser(t)];
    for (const who of [carla, dora]) await requestExport(who);
    await t.drainJobs();
    const archives = async (userId: string) => {
      const keys: string[] = [];
      for await (const object of t.platform.storage.list(`data-exports/${userId}/`))
        keys.push(object.key);
      return keys;
    };
    expect(await archives(carla.id)).toHaveLength(1);
    expect(t.platform.deletion.steps()).toContain('users.data-exports');

    const after = await t.platform.db.asUser(carla.id, (tx) =>
      t.platform.deletion.run(tx, carla.id),
    );
    for (const work of after) await work();
    expect(await archives(carla.id)).toEqual([]);
    expect(await count(t, 'data_exports', sql`user_id = ${carla.id}`)).toBe(0);
    expect(await archives(dora.id)).toHaveLength(1);
    expect(await count(t, 'data_exports', sql`user_id = ${dora.id}`)).toBe(1);
    const [row] = await rows<{ status: string }>(
      t,
      sql`select status from data_exports where user_id = ${dora.id}`,
    );
    expect(row).toEqual({ status: 'ready' });
  });

  it('goes with the account when a deleted account is purged after its grace period', async () => {
    const erin = await registerUser(t);
    await requestExport(erin);
    await t.drainJobs();
    const prefix = `data-exports/${erin.id}/`;
    const archives = async () => {
      const keys: string[] = [];
      for await (const object of t.platform.storage.list(prefix)) keys.push(object.key);
      return keys;
    };
    expect(await archives()).toHaveLength(1);
    const deleted = await t.request('DELETE', '/v1/users/me', { token: erin.accessToken });
    expect(deleted.status, deleted.raw).toBe(202);
    t.clock.advance(t.platform.config.account.deletionGraceDays * 86_400_000 + 60_000);
    expect((await t.modules.users.deletion.purgeDue()).purged).toBeGreaterThanOrEqual(1);
    expect(await archives()).toEqual([]);
    expect(await count(t, 'data_exports', sql`user_id = ${erin.id}`)).toBe(0);
  });

  it('sweeps archives that no export row knows (a delete that failed), never a live one', async () => {
    const owner = await registerUser(t);
    const { id } = await requestExport(owner);
    await t.drainJobs();
    const live = [`data-exports/${owner.id}/${id}.zip`];
    const orphan = `data-exports/${randomUUID()}/${randomUUID()}.zip`;
    await t.platform.storage.put(orphan, Readable.from([Buffer.from('left behind')]));
    // Everything looks two days old to the sweep, the live archives included.
    const old = new Date(t.clock.now().getTime() - 2 * 86_400_000);
    for (const key of [...live, orphan])
      await utimes(path.join(t.dataDir, 'objects', key), old, old);

    expect(await t.modules.users.dataExports.expire()).toMatchObject({ orphans: 1 });
    expect(await t.platform.storage.head(orphan)).toBeUndefined();
    for (const key of live) expect(await t.platform.storage.head(key), key).toBeDefined();
  });
});

// Last in this file: it adds a contributor that always fails.
describe('failures', () => {
  it('marks an export failed once its last attempt fails, leaves no archive, and allows a new one', async () => {
    const user = await registerUser(t);
    t.platform.dataExport.register({
      folder: 'zz-broken',
      about: { es: 'nada', en: 'nothing' },
      write: async () => {
        throw new Error('a module could not read its data');
      },
    });
    const { id } = await requestExport(user);
    const build = t.modules.users.jobs.buildDataExport;
    const payload = { export_id: id, user_id: user.id };
    await expect(build.handler(payload, { jobId: 'j', attempt: 0 })).rejects.toThrow(/could not/);
    expect((await get(user, `/v1/users/me/export/${id}`)).body.status).toBe('running');
    await expect(build.handler(payload, { jobId: 'j', attempt: 2 })).rejects.toThrow(/could not/);
    const failed = (await get(user, `/v1/users/me/export/${id}`)).body;
    expect(failed).toMatchObject({ status: 'failed', download_url: null, size_bytes: null });
    const left: string[] = [];
    for await (const object of t.platform.storage.list(`data-exports/${user.id}/`))
      left.push(object.key);
    expect(left).toEqual([]);
    // A failed export is not under way: asking again starts a new one.
    expect((await requestExport(user)).id).not.toBe(id);
  });

  it('marks an export whose job was lost failed after twelve hours', async () => {
    const user = await registerUser(t);
    const { id } = await requestExport(user);
    t.clock.advance(12 * 60 * 60 * 1000 + 1000);
    expect((await t.modules.users.dataExports.expire()).stale).toBeGreaterThanOrEqual(1);
    const [row] = await rows<{ status: string }>(
      t,
      sql`select status from data_exports where id = ${id}`,
    );
    expect(row).toEqual({ status: 'failed' });
  });
});
