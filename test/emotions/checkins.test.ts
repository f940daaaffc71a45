import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import type { TestUser } from '../helpers/users.ts';
import { createCheckin, createUser, type FactoryUser } from '../helpers/factories.ts';
import { emotionId, freshToken } from '../helpers/emotions.ts';
import { openText, sealed } from '../helpers/envelopes.ts';

/** A well-formed envelope, for the cases that are about something else. */
const ENVELOPE = (await sealed('checkin.notes', 'x')).envelope;

let t: TestApp;
let user: TestUser;
let joy: number;
let anxiety: number;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-06-15T18:00:00Z' });
  user = await createUser(t, { time_zone: 'America/Los_Angeles' });
  joy = await emotionId(t, 'joy');
  anxiety = await emotionId(t, 'anxiety');
});
afterAll(() => t.close());

const post = (body: object, headers: Record<string, string> = {}, token = user.accessToken) =>
  t.request('POST', '/v1/emotions', { token, body, headers });
const checkinsOf = (u: TestUser) => count(t, 'checkins', sql`user_id = ${u.id}`);

describe('POST /v1/emotions', () => {
  it('records a check-in with encrypted notes under the device’s id, placed on the user’s local day', async () => {
    // 2026-06-15T04:30Z is the evening of June 14 in Los Angeles.
    const notes = await sealed('checkin.notes', 'Long day at work');
    const response = await post({
      id: notes.id,
      emotion_type_id: anxiety,
      intensity: 7,
      context: 'daily_checkin',
      notes: notes.envelope,
      created_at: '2026-06-15T04:30:00Z',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: notes.id,
      emotion_type_id: anxiety,
      intensity: 7,
      context: 'daily_checkin',
      notes: notes.envelope,
      plaintext_fields: [],
      related_journal_id: null,
      related_tool_id: null,
      client_id: null,
      created_at: '2026-06-15T04:30:00.000Z',
      local_date: '2026-06-14',
    });
    const [stored] = await rows<{ local_time: string }>(
      t,
      sql`select local_time::text from checkins where id = ${response.body.id}`,
    );
    expect(stored?.local_time).toBe('2026-06-14 21:30:00');
    expect(
      (await t.request('GET', `/v1/emotions/${response.body.id}`, { token: user.accessToken }))
        .body,
    ).toEqual(response.body);
  });

  it('uses now when created_at is absent, and stores the row in its month partition', async () => {
    await t.modules.emotions.ensurePartitions();
    const response = await post({ emotion_type_id: joy, intensity: 5, context: 'standalone' });
    expect(response.body.created_at).toBe(t.clock.now().toISOString());
    const [where] = await rows<{ partition: string }>(
      t,
      sql`select tableoid::regclass::text as partition from checkins where id = ${response.body.id}`,
    );
    expect(where?.partition).toBe('checkins_2026');
  });

  it.each([
    ['in the future', { created_at: '2026-06-15T18:10:00Z' }, 'created-at-in-future'],
    ['more than 30 days back', { created_at: '2026-05-15T17:00:00Z' }, 'created-at-too-old'],
    ['an unknown emotion type', { emotion_type_id: 999 }, 'unknown-emotion-type'],
    [
      'an unknown related journal',
      { related_journal_id: randomUUID() },
      'related-journal-not-found',
    ],
    ['an unknown related tool', { related_tool_id: randomUUID() }, 'related-tool-not-found'],
    ['notes without the id they are bound to', { notes: ENVELOPE }, 'id-required'],
  ])('refuses %s with 422 and stores nothing', async (_label, change, type) => {
    const before = await checkinsOf(user);
    const response = await post({
      emotion_type_id: joy,
      intensity: 5,
      context: 'standalone',
      ...change,
    });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe(`https://amirawellness.com/problems/${type}`);
    expect(response.body.errors[0].pointer).toMatch(/^#\/body\//);
    expect(await checkinsOf(user)).toBe(before);
  });

  it.each([
    ['intensity 0', { intensity: 0 }, '#/body/intensity'],
    ['intensity 11', { intensity: 11 }, '#/body/intensity'],
    ['intensity as a string', { intensity: '5' }, '#/body/intensity'],
    ['an unknown context', { context: 'bedtime' }, '#/body/context'],
    ['plaintext notes', { id: randomUUID(), notes: 'Long day at work' }, '#/body/notes'],
    [
      'plaintext notes that look like base64',
      { id: randomUUID(), notes: 'QWxsIGRheSBsb25nIEkgZmVsdCB0aXJlZCBhbmQgc2Fk' },
      '#/body/notes',
    ],
    [
      'an envelope over 4000 bytes of text',
      { id: randomUUID(), notes: 'AQ' + 'A'.repeat(5402) },
      '#/body/notes',
    ],
    ['a malformed id', { id: 'not-a-uuid' }, '#/body/id'],
    ['a malformed created_at', { created_at: 'yesterday' }, '#/body/created_at'],
    ['an unknown field', { mood: 'ok' }, '#/body/mood'],
  ])('refuses %s with 400 and stores nothing', async (_label, change, pointer) => {
    const before = await checkinsOf(user);
    const response = await post({
      emotion_type_id: joy,
      intensity: 5,
      context: 'standalone',
      ...change,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect(await checkinsOf(user)).toBe(before);
  });

  it('refuses with 409 an id that exists already (same id, same time) and stores nothing more', async () => {
    const notes = await sealed('checkin.notes', 'twice');
    const body = {
      id: notes.id,
      emotion_type_id: joy,
      intensity: 4,
      context: 'standalone',
      notes: notes.envelope,
      created_at: '2026-06-15T10:00:00Z',
    };
    expect((await post(body)).status).toBe(201);
    const again = await post(body);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('https://amirawellness.com/problems/id-taken');
    expect(await count(t, 'checkins', sql`id = ${notes.id}`)).toBe(1);
  });

  it('honours Idempotency-Key: the same request returns the first check-in and stores one', async () => {
    const body = { emotion_type_id: joy, intensity: 6, context: 'standalone' };
    const key = randomUUID();
    const first = await post(body, { 'idempotency-key': key });
    const again = await post(body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await count(t, 'checkins', sql`id = ${first.body.id}`)).toBe(1);
    const different = await post({ ...body, intensity: 2 }, { 'idempotency-key': key });
    expect(different.status).toBe(422);
    expect(different.body.type).toBe('https://amirawellness.com/problems/idempotency-key-reused');
    const bad = await post(body, { 'idempotency-key': 'has spaces in it' });
    expect(bad.status).toBe(400);
  });

  it('keeps Idempotency-Keys per user', async () => {
    const other = await createUser(t);
    const key = randomUUID();
    const body = { emotion_type_id: joy, intensity: 6, context: 'standalone' };
    const mine = await post(body, { 'idempotency-key': key });
    const theirs = await post(body, { 'idempotency-key': key }, other.accessToken);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('needs a token (401)', async () => {
    const response = await t.request('POST', '/v1/emotions', {
      body: { emotion_type_id: joy, intensity: 5, context: 'standalone' },
    });
    expect(response.status).toBe(401);
  });
});

describe('reading check-ins', () => {
  it("answers 404 for another user's check-in, and for an unknown one", async () => {
    const stranger = await createUser(t);
    const mine = await post({ emotion_type_id: joy, intensity: 4, context: 'standalone' });
    expect(
      (await t.request('GET', `/v1/emotions/${mine.body.id}`, { token: stranger.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await t.request('GET', `/v1/emotions/${randomUUID()}`, { token: user.accessToken })).status,
    ).toBe(404);
    expect(
      (await t.request('GET', '/v1/emotions/not-a-uuid', { token: user.accessToken })).status,
    ).toBe(404); // a malformed id names nothing (platform/http/unrouted.ts)
    expect((await t.request('GET', `/v1/emotions/${mine.body.id}`)).status).toBe(401);
    const strangersList = await t.request('GET', '/v1/emotions', { token: stranger.accessToken });
    expect(strangersList.body).toEqual({ items: [], next_cursor: null });
  });

  it('lists newest first with cursor pagination', async () => {
    const reader = await createUser(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      const token = await freshToken(t, reader);
      ids.push(
        (await post({ emotion_type_id: joy, intensity: i + 1, context: 'standalone' }, {}, token))
          .body.id,
      );
    }
    const token = await freshToken(t, reader);
    const page1 = await t.request('GET', '/v1/emotions', { token, query: { limit: 2 } });
    const page2 = await t.request('GET', '/v1/emotions', {
      token,
      query: { limit: 2, cursor: page1.body.next_cursor },
    });
    const page3 = await t.request('GET', '/v1/emotions', {
      token,
      query: { limit: 2, cursor: page2.body.next_cursor },
    });
    expect(
      [...page1.body.items, ...page2.body.items, ...page3.body.items].map(
        (c: { id: string }) => c.id,
      ),
    ).toEqual(ids.reverse());
    expect(page3.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/v1/emotions', { token, query: { limit: 500 } })).status).toBe(
      400,
    );
  });

  it('filters by local days, categories, intensity and context', async () => {
    const filterer = await createUser(t, { time_zone: 'Europe/Madrid' });
    t.clock.set('2026-06-20T12:00:00Z');
    const token = await freshToken(t, filterer);
    const make = (at: string, code: number, intensity: number, context = 'standalone') =>
      post({ emotion_type_id: code, intensity, context, created_at: at }, {}, token);
    await make('2026-06-18T21:30:00Z', joy, 8); // 23:30 on the 18th in Madrid
    await make('2026-06-18T22:30:00Z', anxiety, 6, 'pre_journal'); // 00:30 on the 19th in Madrid
    await make('2026-06-19T10:00:00Z', anxiety, 3);
    const filter = async (body: object) =>
      (await t.request('POST', '/v1/emotions/filter', { token, body })).body.items.map(
        (c: { intensity: number }) => c.intensity,
      );
    expect(await filter({ from: '2026-06-19', to: '2026-06-19' })).toEqual([3, 6]);
    expect(await filter({ to: '2026-06-18' })).toEqual([8]);
    expect(await filter({ categories: ['negative'] })).toEqual([3, 6]);
    expect(await filter({ categories: ['neutral'] })).toEqual([]);
    expect(await filter({ intensity_min: 4, intensity_max: 7 })).toEqual([6]);
    expect(await filter({ contexts: ['pre_journal'] })).toEqual([6]);
    expect(await filter({ emotion_type_ids: [joy], categories: ['positive'] })).toEqual([8]);
    const reversed = await t.request('POST', '/v1/emotions/filter', {
      token,
      body: { from: '2026-06-20', to: '2026-06-19' },
    });
    expect(reversed.status).toBe(422);
    expect(
      (await t.request('POST', '/v1/emotions/filter', { token, body: { categories: ['angry'] } }))
        .status,
    ).toBe(400);
  });
});

describe('POST /v1/emotions/batch', () => {
  it('applies items idempotently and reports each one', async () => {
    const syncer = await createUser(t);
    t.clock.set('2026-06-21T09:00:00Z');
    const token = await freshToken(t, syncer);
    const items = [
      {
        client_id: 'a1',
        emotion_type_id: joy,
        intensity: 7,
        context: 'daily_checkin',
        created_at: '2026-06-19T08:00:00Z',
      },
      {
        client_id: 'a2',
        emotion_type_id: anxiety,
        intensity: 5,
        context: 'standalone',
        created_at: '2026-06-20T08:00:00Z',
      },
      {
        client_id: 'a2',
        emotion_type_id: anxiety,
        intensity: 5,
        context: 'standalone',
        created_at: '2026-06-20T08:00:00Z',
      },
      {
        client_id: 'a3',
        emotion_type_id: 999,
        intensity: 5,
        context: 'standalone',
        created_at: '2026-06-20T09:00:00Z',
      },
      {
        client_id: 'a4',
        emotion_type_id: joy,
        intensity: 5,
        context: 'standalone',
        created_at: '2026-04-01T09:00:00Z',
      },
    ];
    const first = await t.request('POST', '/v1/emotions/batch', { token, body: { items } });
    expect(first.status).toBe(200);
    expect(
      first.body.results.map((r: { client_id: string; status: string }) => [r.client_id, r.status]),
    ).toEqual([
      ['a1', 'created'],
      ['a2', 'created'],
      ['a2', 'duplicate'],
      ['a3', 'rejected'],
      ['a4', 'rejected'],
    ]);
    expect(first.body.results[2].id).toBe(first.body.results[1].id);
    expect(first.body.results[3].error.code).toBe('unknown-emotion-type');
    expect(first.body.results[4].error.code).toBe('created-at-too-old');
    expect(await checkinsOf(syncer)).toBe(2);

    const again = await t.request('POST', '/v1/emotions/batch', { token, body: { items } });
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'rejected',
      'rejected',
    ]);
    expect(again.body.results[0].id).toBe(first.body.results[0].id);
    expect(again.body.results[1].id).toBe(first.body.results[1].id);
    expect(await checkinsOf(syncer)).toBe(2);
  });

  it('refuses an empty batch, more than 100 items, and items without created_at (400), storing nothing', async () => {
    const syncer = await createUser(t);
    const item = (i: number) => ({
      client_id: `c${i}`,
      emotion_type_id: joy,
      intensity: 5,
      context: 'standalone',
      created_at: t.clock.now().toISOString(),
    });
    const token = await freshToken(t, syncer);
    expect(
      (await t.request('POST', '/v1/emotions/batch', { token, body: { items: [] } })).status,
    ).toBe(400);
    expect(
      (
        await t.request('POST', '/v1/emotions/batch', {
          token,
          body: { items: Array.from({ length: 101 }, (_, i) => item(i)) },
        })
      ).status,
    ).toBe(400);
    const { created_at: _omitted, ...withoutDate } = item(1);
    expect(
      (await t.request('POST', '/v1/emotions/batch', { token, body: { items: [withoutDate] } }))
        .status,
    ).toBe(400);
    expect(await checkinsOf(syncer)).toBe(0);
  });
});

describe('storage', () => {
  it('matches the Drizzle definition column for column', async () => {
    const columns = await rows<{ column_name: string; data_type: string }>(
      t,
      sql`select column_name, data_type from information_schema.columns where table_name = 'checkins' order by ordinal_position`,
    );
    const { checkins } = await import('../../src/modules/emotions/partitioned/tables.ts');
    const defined = Object.values(checkins).filter(
      (c): c is { name: string } =>
        typeof c === 'object' && c !== null && 'name' in c && 'columnType' in c,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(defined.map((c) => c.name).sort());
  });

  it('moves rows out of the default partition when their month gets a partition', async () => {
    const keeper = await createUser(t);
    t.clock.set('2031-01-20T12:00:00Z'); // far from the partitions the migration and the job made
    const token = await freshToken(t, keeper);
    const [before] = await rows<{ exists: boolean }>(
      t,
      sql`select to_regclass('checkins_2031') is not null as exists`,
    );
    expect(before?.exists).toBe(false);
    const created = await post(
      { emotion_type_id: joy, intensity: 5, context: 'standalone' },
      {},
      token,
    );
    const where = async () =>
      (
        await rows<{ partition: string }>(
          t,
          sql`select tableoid::regclass::text as partition from checkins where id = ${created.body.id}`,
        )
      )[0]?.partition;
    expect(await where()).toBe('checkins_default');
    await t.modules.emotions.ensurePartitions();
    expect(await where()).toBe('checkins_2031');
    expect(await count(t, 'checkins_default')).toBe(0);
    expect((await t.request('GET', `/v1/emotions/${created.body.id}`, { token })).body.id).toBe(
      created.body.id,
    );
  });
});

describe('notes written before notes were encrypted (plaintext, marked)', () => {
  /** A check-in as the migration left it: plaintext notes, marked. */
  async function legacyCheckin(owner: FactoryUser, text: string): Promise<string> {
    // A minute apart: the list's order (oldest first) is then theirs.
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    const created = await createCheckin(t, owner, { created_at: t.clock.now().toISOString() });
    await rows(
      t,
      sql`update checkins set notes = ${text}, notes_plaintext = true where id = ${created.id}`,
    );
    return created.id;
  }

  it('lists them, takes the envelope the device made and leaves no plaintext', async () => {
    const owner = await createUser(t);
    const token = await freshToken(t, owner);
    const ids = [
      await legacyCheckin(owner, 'me sentí sola'),
      await legacyCheckin(owner, 'cansada'),
    ];
    const listed = await t.request('GET', '/v1/emotions/plaintext-notes?limit=1', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      notes: 'me sentí sola',
      plaintext_fields: ['notes'],
    });
    const next = await t.request(
      'GET',
      `/v1/emotions/plaintext-notes?limit=1&cursor=${listed.body.next_cursor}`,
      { token },
    );
    expect(next.body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    for (const item of [...listed.body.items, ...next.body.items] as {
      id: string;
      notes: string;
    }[]) {
      const { envelope } = await sealed('checkin.notes', item.notes, item.id);
      const replaced = await t.request('PUT', `/v1/emotions/${item.id}/notes`, {
        token,
        body: { notes: envelope },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ id: item.id, notes: envelope, plaintext_fields: [] });
      expect(await openText('checkin.notes', replaced.body.notes, item.id)).toBe(item.notes);
    }
    expect((await t.request('GET', '/v1/emotions/plaintext-notes', { token })).body.items).toEqual(
      [],
    );
    const stored = await rows<{ notes: string }>(
      t,
      sql`select notes from checkins where user_id = ${owner.id} and notes is not null`,
    );
    expect(stored.map((r) => r.notes).some((n) => n === 'me sentí sola' || n === 'cansada')).toBe(
      false,
    );
  });

  it('removes notes with null', async () => {
    const owner = await createUser(t);
    const id = await legacyCheckin(owner, 'borrar esto');
    const response = await t.request('PUT', `/v1/emotions/${id}/notes`, {
      token: await freshToken(t, owner),
      body: { notes: null },
    });
    expect(response.body).toMatchObject({ notes: null, plaintext_fields: [] });
  });

  it('refuses plaintext with 400 naming the field, and changes nothing', async () => {
    const owner = await createUser(t);
    const id = await legacyCheckin(owner, 'sin cifrar');
    const response = await t.request('PUT', `/v1/emotions/${id}/notes`, {
      token: await freshToken(t, owner),
      body: { notes: 'sin cifrar todavía' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toEqual({
      pointer: '#/body/notes',
      message:
        'must be encrypted on the device: a text envelope made by the SDK (docs/encryption.md), never plaintext',
    });
    const [row] = await rows<{ notes: string; notes_plaintext: boolean }>(
      t,
      sql`select notes, notes_plaintext from checkins where id = ${id}`,
    );
    expect(row).toEqual({ notes: 'sin cifrar', notes_plaintext: true });
  });

  it("answers 404 for another user's check-in and 401 without a token", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const id = await legacyCheckin(owner, 'mío');
    const body = { notes: ENVELOPE };
    const foreign = await t.request('PUT', `/v1/emotions/${id}/notes`, {
      token: await freshToken(t, other),
      body,
    });
    expect(foreign.status).toBe(404);
    expect((await t.request('PUT', `/v1/emotions/${id}/notes`, { body })).status).toBe(401);
    expect((await t.request('GET', '/v1/emotions/plaintext-notes')).status).toBe(401);
    const othersList = await t.request('GET', '/v1/emotions/plaintext-notes', {
      token: await freshToken(t, other),
    });
    expect(othersList.body.items).toEqual([]);
    const [row] = await rows<{ notes: string }>(
      t,
      sql`select notes from checkins where id = ${id}`,
    );
    expect(row?.notes).toBe('mío');
  });
});

describe('POST /v1/emotions/batch with encrypted notes', () => {
  it('stores each item under the id its notes are bound to, and rejects notes without one', async () => {
    const syncer = await createUser(t);
    const token = await freshToken(t, syncer);
    const at = new Date(t.clock.now().getTime() - 3_600_000).toISOString();
    const notes = await sealed('checkin.notes', 'sin conexión, en el metro');
    const items = [
      {
        client_id: 'n1',
        id: notes.id,
        emotion_type_id: joy,
        intensity: 4,
        context: 'standalone',
        notes: notes.envelope,
        created_at: at,
      },
      {
        client_id: 'n2',
        emotion_type_id: joy,
        intensity: 4,
        context: 'standalone',
        notes: notes.envelope,
        created_at: at,
      },
    ];
    const response = await t.request('POST', '/v1/emotions/batch', { token, body: { items } });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { client_id: 'n1', status: 'created', id: notes.id, error: null },
      {
        client_id: 'n2',
        status: 'rejected',
        id: null,
        error: { code: 'id-required', detail: expect.any(String) },
      },
    ]);
    const stored = await t.request('GET', `/v1/emotions/${notes.id}`, { token });
    expect(await openText('checkin.notes', stored.body.notes, notes.id)).toBe(
      'sin conexión, en el metro',
    );
    // Plaintext in a batch is refused whole, as any malformed item (400), and nothing is stored.
    const plain = await t.request('POST', '/v1/emotions/batch', {
      token,
      body: { items: [{ ...items[0], client_id: 'n3', notes: 'sin cifrar' }] },
    });
    expect(plain.status).toBe(400);
    expect(plain.body.errors[0].pointer).toBe('#/body/items/0/notes');
    expect(await checkinsOf(syncer)).toBe(1);
  });
});
