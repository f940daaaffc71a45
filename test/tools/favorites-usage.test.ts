import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { toolId } from '../helpers/tools.ts';

let t: TestApp;
let ana: TestUser;
let ben: TestUser;
let box: string;
let scan: string;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-07-01T10:00:00Z' });
  ana = await registerUser(t, { language_preference: 'es' });
  ben = await registerUser(t, { language_preference: 'en' });
  box = await toolId(t, ana, 'box-breathing');
  scan = await toolId(t, ana, 'body-scan');
});
afterAll(() => t.close());

describe('favorites', () => {
  it('are idempotent, per user, newest first, and show on the tool', async () => {
    const first = await t.request('PUT', `/v1/tools/${box}/favorite`, { token: ana.accessToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      tool_id: box,
      is_favorite: true,
      favorited_at: '2026-07-01T10:00:00.000Z',
    });
    t.clock.advance(1000);
    const again = await t.request('PUT', `/v1/tools/${box}/favorite`, { token: ana.accessToken });
    expect(again.body.favorited_at).toBe('2026-07-01T10:00:00.000Z');
    await t.request('PUT', `/v1/tools/${scan}/favorite`, { token: ana.accessToken });
    const list = await t.request('GET', '/v1/tools/favorites', { token: ana.accessToken });
    expect(list.body.items.map((tool: { code: string }) => tool.code)).toEqual([
      'body-scan',
      'box-breathing',
    ]);
    expect(list.body.items[1].name).toBe('Respiración cuadrada');
    expect(
      (await t.request('GET', `/v1/tools/${box}`, { token: ana.accessToken })).body.is_favorite,
    ).toBe(true);

    // Ben sees none of Ana's favorites.
    expect(
      (await t.request('GET', '/v1/tools/favorites', { token: ben.accessToken })).body.items,
    ).toEqual([]);
    expect(
      (await t.request('GET', `/v1/tools/${box}`, { token: ben.accessToken })).body.is_favorite,
    ).toBe(false);

    const removed = await t.request('DELETE', `/v1/tools/${box}/favorite`, {
      token: ana.accessToken,
    });
    expect(removed.body).toEqual({ tool_id: box, is_favorite: false, favorited_at: null });
    expect(
      (await t.request('DELETE', `/v1/tools/${box}/favorite`, { token: ana.accessToken })).status,
    ).toBe(200);
    expect(
      (await t.request('GET', '/v1/tools/favorites', { token: ana.accessToken })).body.items.map(
        (x: { code: string }) => x.code,
      ),
    ).toEqual(['body-scan']);
  });

  it('answers 404 for an unknown tool or a malformed id, 401 without a token, storing nothing', async () => {
    const before = await count(t, 'tool_favorites');
    expect(
      (await t.request('PUT', `/v1/tools/${randomUUID()}/favorite`, { token: ana.accessToken }))
        .status,
    ).toBe(404);
    const malformed = await t.request('PUT', '/v1/tools/nope/favorite', {
      token: ana.accessToken,
    });
    expect(malformed.status).toBe(404);
    expect(malformed.body.type).toBe('https://amirawellness.com/problems/not-found');
    expect((await t.request('PUT', `/v1/tools/${box}/favorite`)).status).toBe(401);
    expect(await count(t, 'tool_favorites')).toBe(before);
  });
});

describe('POST /v1/tools/{id}/usage', () => {
  const valid = () => ({
    started_at: '2026-07-01T09:50:00Z',
    completed_at: '2026-07-01T09:55:00Z',
    duration_seconds: 300,
    completion_status: 'completed',
  });

  it('records a session and lists it for its user only', async () => {
    const response = await t.request('POST', `/v1/tools/${box}/usage`, {
      token: ben.accessToken,
      body: valid(),
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      tool_id: box,
      started_at: '2026-07-01T09:50:00.000Z',
      completed_at: '2026-07-01T09:55:00.000Z',
      duration_seconds: 300,
      completion_status: 'completed',
      created_at: t.clock.now().toISOString(),
    });
    const mine = await t.request('GET', '/v1/tools/usage', { token: ben.accessToken });
    expect(mine.body.items.map((u: { id: string }) => u.id)).toEqual([response.body.id]);
    expect(
      (await t.request('GET', '/v1/tools/usage', { token: ana.accessToken })).body.items,
    ).toEqual([]);
  });

  it('honours Idempotency-Key', async () => {
    const key = randomUUID();
    const a = await t.request('POST', `/v1/tools/${scan}/usage`, {
      token: ben.accessToken,
      body: valid(),
      headers: { 'idempotency-key': key },
    });
    const b = await t.request('POST', `/v1/tools/${scan}/usage`, {
      token: ben.accessToken,
      body: valid(),
      headers: { 'idempotency-key': key },
    });
    expect(b.body.id).toBe(a.body.id);
    expect(await count(t, 'tool_usage', sql`tool_id = ${scan} and user_id = ${ben.id}`)).toBe(1);
  });

  it.each([
    [
      'a start in the future',
      { started_at: '2026-07-01T11:00:00Z', completed_at: undefined, completion_status: 'partial' },
      422,
    ],
    [
      'a start more than 30 days back',
      { started_at: '2026-05-01T10:00:00Z', completed_at: '2026-05-01T10:05:00Z' },
      422,
    ],
    ['an end before the start', { completed_at: '2026-07-01T09:40:00Z' }, 422],
    ['completed without an end', { completed_at: undefined }, 422],
    ['an unknown status', { completion_status: 'done' }, 400],
    ['a duration over a day', { duration_seconds: 90_000 }, 400],
    ['a negative duration', { duration_seconds: -5 }, 400],
  ])('refuses %s and stores nothing', async (_label, change, status) => {
    const before = await count(t, 'tool_usage', sql`user_id = ${ana.id}`);
    const body: Record<string, unknown> = { ...valid(), ...change };
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    const response = await t.request('POST', `/v1/tools/${box}/usage`, {
      token: ana.accessToken,
      body,
    });
    expect(response.status).toBe(status);
    expect(await count(t, 'tool_usage', sql`user_id = ${ana.id}`)).toBe(before);
  });

  it('answers 404 for an unknown tool and 401 without a token', async () => {
    expect(
      (
        await t.request('POST', `/v1/tools/${randomUUID()}/usage`, {
          token: ana.accessToken,
          body: valid(),
        })
      ).status,
    ).toBe(404);
    expect((await t.request('POST', `/v1/tools/${box}/usage`, { body: valid() })).status).toBe(401);
  });
});
