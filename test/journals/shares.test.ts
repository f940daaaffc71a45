// Share links (docs/encryption.md, sharing): the owner creates, lists and revokes them; a
// recipient without an account reads what the link opens and downloads the ciphertext,
// within the expiry and the download limit, counted exactly under concurrency; every event
// is in the owner's security events; a link dies with its journal and its account.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { sealed } from '../helpers/envelopes.ts';
import { uploadRecording, wrappedJournalKey } from '../helpers/journals.ts';
import { login, registerUser, type TestUser } from '../helpers/users.ts';

const DAY = 86_400_000;

let t: TestApp;
let owner: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestApp({ env: { APP_LINK_BASE_URL: 'https://links.amira.test/' } });
  owner = await registerUser(t);
  other = await registerUser(t);
});
afterAll(() => t.close());

/** A recording with a journal key (shareable), its ciphertext and title envelope. */
async function shareable(user: TestUser = owner) {
  const title = await sealed('journal.title', 'Lo que no le dije a mi padre');
  const { journal, encrypted } = await uploadRecording(t, user.accessToken, {
    id: title.id,
    title: title.envelope,
    journal_key: wrappedJournalKey(),
  });
  return { journal, encrypted, title: title.envelope };
}

const share = (journalId: string, body: object = {}, token = owner.accessToken) =>
  t.request('POST', `/v1/journals/${journalId}/shares`, { token, body });

const eventsOf = (user: TestUser, type: string) =>
  rows<{ metadata: Record<string, unknown>; ip: string | null; user_agent: string | null }>(
    t,
    sql`select metadata, ip, user_agent from security_events
        where user_id = ${user.id} and type = ${type} order by created_at, id`,
  );

describe('POST /v1/journals/{id}/shares', () => {
  it('creates a link that opens for 7 days by default, labelled with an envelope, and records it', async () => {
    const { journal } = await shareable();
    const label = await sealed('share.label', 'Para la Dra. Ruiz');
    const response = await share(journal.id, { id: label.id, label: label.envelope });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: label.id,
      journal_id: journal.id,
      label: label.envelope,
      url: `https://links.amira.test/s/${label.id}`,
      status: 'active',
      expires_at: new Date(t.clock.now().getTime() + 7 * DAY).toISOString(),
      max_downloads: null,
      downloads: 0,
      revoked_at: null,
      created_at: t.clock.now().toISOString(),
    });
    const [event] = await eventsOf(owner, 'journal_share_created');
    expect(event?.metadata).toMatchObject({ share_id: label.id, journal_id: journal.id });

    const limited = await share(journal.id, { expires_in_days: 30, max_downloads: 3 });
    expect(limited.status).toBe(201);
    expect(limited.body.expires_at).toBe(
      new Date(t.clock.now().getTime() + 30 * DAY).toISOString(),
    );
    expect(limited.body.max_downloads).toBe(3);
    expect(limited.body.label).toBeNull();

    const listed = await t.request('GET', `/v1/journals/${journal.id}/shares`, {
      token: owner.accessToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: { id: string }) => s.id).sort()).toEqual(
      [label.id, limited.body.id].sort(),
    );
  });

  it.each([
    ['an expiry of 0 days', { expires_in_days: 0 }, 400, '#/body/expires_in_days'],
    ['an expiry past 30 days', { expires_in_days: 31 }, 400, '#/body/expires_in_days'],
    ['a download limit of 0', { max_downloads: 0 }, 400, '#/body/max_downloads'],
    ['a label in plaintext', { id: randomUUID(), label: 'Para mi terapeuta' }, 400, '#/body/label'],
    ['an unknown field', { note: 'x' }, 400, '#/body'],
  ])(
    'refuses %s with a problem naming the field, and stores nothing',
    async (_what, body, status, pointer) => {
      const { journal } = await shareable();
      const response = await share(journal.id, body);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(response.body.errors ?? [])).toContain(pointer);
      expect(await count(t, 'journal_shares', sql`journal_id = ${journal.id}`)).toBe(0);
    },
  );

  it('needs the id a label is bound to (422 id-required), and a fresh one (409 id-taken)', async () => {
    const { journal } = await shareable();
    const label = await sealed('share.label', 'Para mi hermana');
    const noId = await share(journal.id, { label: label.envelope });
    expect(noId.status).toBe(422);
    expect(noId.body.type).toMatch(/\/id-required$/);
    expect(noId.body.errors).toEqual([{ pointer: '#/body/id', message: 'required with label' }]);

    expect((await share(journal.id, { id: label.id })).status).toBe(201);
    const again = await share(journal.id, { id: label.id, label: label.envelope });
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/\/id-taken$/);
    expect(await count(t, 'journal_shares', sql`journal_id = ${journal.id}`)).toBe(1);
  });

  it('refuses a recording made before journal keys (409 journal-key-required)', async () => {
    const { journal } = await uploadRecording(t, owner.accessToken);
    const response = await share(journal.id);
    expect(response.status).toBe(409);
    expect(response.body.type).toMatch(/\/journal-key-required$/);
    expect(await count(t, 'journal_shares', sql`journal_id = ${journal.id}`)).toBe(0);
  });

  it("answers 404 for another user's recording, on every share route, and changes nothing", async () => {
    const { journal } = await shareable();
    const mine = await share(journal.id);
    const token = other.accessToken;
    expect((await share(journal.id, {}, token)).status).toBe(404);
    expect((await t.request('GET', `/v1/journals/${journal.id}/shares`, { token })).status).toBe(
      404,
    );
    const revoke = await t.request('DELETE', `/v1/journals/${journal.id}/shares/${mine.body.id}`, {
      token,
    });
    expect(revoke.status).toBe(404);
    const [row] = await rows<{ revoked_at: Date | null }>(
      t,
      sql`select revoked_at from journal_shares where id = ${mine.body.id}`,
    );
    expect(row?.revoked_at).toBeNull();
    const anonymous = await t.request('POST', `/v1/journals/${journal.id}/shares`, { body: {} });
    expect(anonymous.status).toBe(401);
  });

  it('keeps at most 20 open links per recording, also under a burst of 30 at once', async () => {
    const { journal } = await shareable();
    const answers = await Promise.all(Array.from({ length: 30 }, () => share(journal.id)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(answers.find((a) => a.status === 409)?.body.type).toMatch(/\/too-many-shares$/);
    expect(await count(t, 'journal_shares', sql`journal_id = ${journal.id}`)).toBe(20);

    // A revoked link no longer counts.
    const first = answers.find((a) => a.status === 201)!.body;
    await t.request('DELETE', `/v1/journals/${journal.id}/shares/${first.id}`, {
      token: owner.accessToken,
    });
    expect((await share(journal.id)).status).toBe(201);
  });
});

describe('a share link, opened without an account', () => {
  it('describes the recording, serves its ciphertext once per download, and never the key', async () => {
    const { journal, encrypted, title } = await shareable();
    const created = await share(journal.id, { max_downloads: 2 });
    const id = created.body.id as string;

    const described = await t.request('GET', `/v1/shares/${id}`);
    expect(described.status).toBe(200);
    expect(described.body).toEqual({
      id,
      journal_id: journal.id,
      title,
      duration_seconds: 95,
      recorded_at: journal.recorded_at,
      expires_at: created.body.expires_at,
      downloads_left: 2,
      encryption: { algorithm: 'AES-256-GCM', iv: encrypted.iv },
      audio: {
        format: 'aac',
        file_size: encrypted.ciphertext.length,
        checksum_sha256: encrypted.checksum,
      },
    });
    expect(described.raw).not.toContain(owner.id);
    expect(described.raw).not.toContain(owner.email);

    const first = await t.app.inject({ method: 'GET', url: `/v1/shares/${id}/audio` });
    expect(first.statusCode).toBe(200);
    expect(first.rawPayload.equals(encrypted.ciphertext)).toBe(true);
    expect(first.headers['cache-control']).toBe('private, no-store');
    expect(first.headers['content-encoding']).toBeUndefined();
    expect((await t.request('GET', `/v1/shares/${id}`)).body.downloads_left).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: `/v1/shares/${id}/audio` })).statusCode).toBe(
      200,
    );

    const used = await t.request('GET', `/v1/shares/${id}/audio`);
    expect(used.status).toBe(410);
    expect(used.body.type).toMatch(/\/share-exhausted$/);
    expect((await t.request('GET', `/v1/shares/${id}`)).body.type).toMatch(/\/share-exhausted$/);

    // Each download is in the owner's events, without the recipient's address or browser.
    const downloads = await eventsOf(owner, 'journal_share_downloaded');
    const these = downloads.filter((e) => e.metadata.share_id === id);
    expect(these.map((e) => e.metadata.downloads).sort()).toEqual([1, 2]);
    expect(these.every((e) => e.ip === null && e.user_agent === null)).toBe(true);
  });

  it('gives exactly the downloads left to a burst of 12 recipients at once', async () => {
    const { journal, encrypted } = await shareable();
    const { body } = await share(journal.id, { max_downloads: 5 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.app.inject({ method: 'GET', url: `/v1/shares/${body.id}/audio` }),
      ),
    );
    const served = answers.filter((a) => a.statusCode === 200);
    expect(served).toHaveLength(5);
    expect(served.every((a) => a.rawPayload.equals(encrypted.ciphertext))).toBe(true);
    expect(answers.filter((a) => a.statusCode === 410)).toHaveLength(7);
    const [row] = await rows<{ downloads: number }>(
      t,
      sql`select downloads from journal_shares where id = ${body.id}`,
    );
    expect(row?.downloads).toBe(5);
    const events = await eventsOf(owner, 'journal_share_downloaded');
    expect(events.filter((e) => e.metadata.share_id === body.id)).toHaveLength(5);
  });

  it('stops opening when it expires, when it is revoked, and for ids that name nothing', async () => {
    const { journal } = await shareable();
    const expiring = await share(journal.id, { expires_in_days: 1 });
    const revoked = await share(journal.id);

    const revocation = await t.request(
      'DELETE',
      `/v1/journals/${journal.id}/shares/${revoked.body.id}`,
      { token: owner.accessToken },
    );
    expect(revocation.status).toBe(200);
    expect(revocation.body.status).toBe('revoked');
    expect(revocation.body.revoked_at).toBe(t.clock.now().toISOString());
    const again = await t.request(
      'DELETE',
      `/v1/journals/${journal.id}/shares/${revoked.body.id}`,
      {
        token: owner.accessToken,
      },
    );
    expect(again.body.revoked_at).toBe(revocation.body.revoked_at);
    for (const url of [`/v1/shares/${revoked.body.id}`, `/v1/shares/${revoked.body.id}/audio`]) {
      const response = await t.request('GET', url);
      expect(response.status).toBe(410);
      expect(response.body.type).toMatch(/\/share-revoked$/);
    }
    const [event] = (await eventsOf(owner, 'journal_share_revoked')).filter(
      (e) => e.metadata.share_id === revoked.body.id,
    );
    expect(event?.ip).not.toBeNull();

    const now = t.clock.now();
    t.clock.advance(DAY + 1000);
    const expired = await t.request('GET', `/v1/shares/${expiring.body.id}/audio`);
    expect(expired.status).toBe(410);
    expect(expired.body.type).toMatch(/\/share-expired$/);
    const signedIn = await login(t, owner); // the first access token has expired too
    const listed = await t.request('GET', `/v1/journals/${journal.id}/shares`, {
      token: signedIn.body.access_token,
    });
    expect(
      Object.fromEntries(
        listed.body.items.map((s: { id: string; status: string }) => [s.id, s.status]),
      ),
    ).toEqual({ [expiring.body.id]: 'expired', [revoked.body.id]: 'revoked' });
    t.clock.set(now); // the users' access tokens stay valid for the other tests

    for (const id of [randomUUID(), 'not-a-share']) {
      const unknown = await t.request('GET', `/v1/shares/${id}`);
      expect(unknown.status).toBe(404);
    }
    expect((await t.request('GET', `/v1/shares/${randomUUID()}`)).body.type).toMatch(
      /\/share-not-found$/,
    );
  });

  it('never hands out a title still held in plaintext', async () => {
    const { journal } = await shareable();
    await t.platform.db.asSystem((tx) =>
      tx.execute(
        sql`update journals set title = 'Texto de antes', title_plaintext = true where id = ${journal.id}`,
      ),
    );
    const { body } = await share(journal.id);
    expect((await t.request('GET', `/v1/shares/${body.id}`)).body.title).toBeNull();
  });
});

describe('a share link dies with its recording', () => {
  it('is revoked when the recording goes to the trash, and stays revoked after a restore', async () => {
    const { journal } = await shareable();
    const { body } = await share(journal.id);
    expect(
      (await t.request('DELETE', `/v1/journals/${journal.id}`, { token: owner.accessToken }))
        .status,
    ).toBe(200);
    expect((await t.request('GET', `/v1/shares/${body.id}/audio`)).body.type).toMatch(
      /\/share-revoked$/,
    );
    const [event] = (await eventsOf(owner, 'journal_shares_revoked')).filter(
      (e) => e.metadata.journal_id === journal.id,
    );
    expect(event?.metadata.count).toBe(1);
    await t.request('POST', `/v1/journals/${journal.id}/restore`, { token: owner.accessToken });
    expect((await t.request('GET', `/v1/shares/${body.id}`)).status).toBe(410);
  });

  it('is gone with every recording deleted at once', async () => {
    const user = await registerUser(t);
    const { journal } = await shareable(user);
    const { body } = await share(journal.id, {}, user.accessToken);
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`delete from journals where user_id = ${user.id}`),
    );
    expect(await count(t, 'journal_shares', sql`id = ${body.id}`)).toBe(0);
    expect((await t.request('GET', `/v1/shares/${body.id}`)).status).toBe(404);
  });
});

describe('the share page', () => {
  it('is served in the browser’s language under a strict CSP, with its two assets', async () => {
    const id = randomUUID();
    const english = await t.app.inject({
      method: 'GET',
      url: `/s/${id}`,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(english.statusCode).toBe(200);
    expect(english.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Opening the recording…');
    expect(english.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
        "media-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(english.headers['referrer-policy']).toBe('no-referrer');
    expect(english.headers['cache-control']).toBe('no-store');
    expect(english.body).not.toContain('<script>'); // no inline script
    expect(english.body).not.toMatch(/https?:/); // no third party

    for (const accept of ['es-MX,es;q=0.9,en;q=0.5', undefined, 'de-DE']) {
      const spanish = await t.app.inject({
        method: 'GET',
        url: `/s/${id}`,
        headers: accept ? { 'accept-language': accept } : {},
      });
      expect(spanish.body, String(accept)).toContain('<html lang="es">');
      expect(spanish.body).toContain('Abriendo la grabación…');
    }

    const script = await t.app.inject({ method: 'GET', url: '/s/assets/share.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('amira:audio:v2:');
    const style = await t.app.inject({ method: 'GET', url: '/s/assets/share.css' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });
});
