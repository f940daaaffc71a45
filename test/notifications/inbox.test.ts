// Preferences, push tokens and the in-app inbox through the API.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { signInOnPhone } from '../helpers/notifications.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-03-10T12:00:00Z' });
});
afterAll(() => t.close());

describe('preferences', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(t);
  });
  const get = () => t.request('GET', '/v1/notifications/preferences', { token: user.accessToken });
  const put = (body: unknown) =>
    t.request('PUT', '/v1/notifications/preferences', { token: user.accessToken, body });

  it('starts from gentle defaults', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      reminders_enabled: true,
      reminder_time: '20:00',
      reminder_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      affirmations_enabled: true,
      affirmation_time: '09:00',
      achievement_notifications: true,
      quiet_hours: { start: '22:00', end: '07:00' },
      channels: { push: true, in_app: true },
      updated_at: null,
    });
  });

  it('changes the fields given and keeps the others', async () => {
    const response = await put({
      reminder_time: '21:30',
      reminder_days: ['sun', 'mon'],
      quiet_hours: null,
      channels: { push: false },
    });
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toMatchObject({
      reminders_enabled: true,
      reminder_time: '21:30',
      reminder_days: ['mon', 'sun'],
      affirmation_time: '09:00',
      quiet_hours: null,
      channels: { push: false, in_app: true },
      updated_at: '2026-03-10T12:00:00.000Z',
    });
    expect((await get()).body).toEqual(response.body);
  });

  it.each([
    ['a time that does not exist', { reminder_time: '24:00' }, '#/body/reminder_time'],
    ['a time without minutes', { affirmation_time: '9' }, '#/body/affirmation_time'],
    ['an unknown day', { reminder_days: ['funday'] }, '#/body/reminder_days/0'],
    ['no day at all', { reminder_days: [] }, '#/body/reminder_days'],
    ['a repeated day', { reminder_days: ['mon', 'mon'] }, '#/body/reminder_days'],
    ['an unknown field', { snooze: true }, '#/body/snooze'],
    ['an empty change', {}, '#/body'],
  ])('refuses %s with a problem document and changes nothing', async (_label, body, pointer) => {
    const before = (await get()).body;
    const response = await put(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect((await get()).body).toEqual(before);
  });

  it('refuses quiet hours that start when they end (422)', async () => {
    const response = await put({ quiet_hours: { start: '22:00', end: '22:00' } });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe('https://amirawellness.com/problems/invalid-quiet-hours');
  });

  it('needs a token', async () => {
    expect((await t.request('GET', '/v1/notifications/preferences')).status).toBe(401);
  });
});

describe('push tokens', () => {
  it('registers a token for one of the user’s devices, and moves it when another account signs in there', async () => {
    const first = await registerUser(t);
    const token = await signInOnPhone(t, first, 'pixel-7-kitchen', 'fcm-token-shared-phone-0001');
    const devices = await t.request('GET', '/v1/users/me/devices', { token });
    expect(devices.body.items).toEqual([
      expect.objectContaining({
        device_id: 'pixel-7-kitchen',
        has_push_token: true,
        platform: 'android',
      }),
    ]);
    // Someone else signs in on the same phone: the first account's reminders stop going there.
    const second = await registerUser(t);
    await signInOnPhone(t, second, 'pixel-7-kitchen', 'fcm-token-shared-phone-0001');
    const holders = await rows<{ user_id: string }>(
      t,
      sql`select user_id from user_devices where push_token = 'fcm-token-shared-phone-0001'`,
    );
    expect(holders).toEqual([{ user_id: second.id }]);
  });

  it('refuses an unknown device (404), a bad token (400) and no token (401), storing nothing', async () => {
    const user = await registerUser(t);
    const token = await signInOnPhone(t, user, 'iphone-15', 'fcm-token-iphone-15-00000001');
    const put = (device: string, body: unknown, as: string | undefined = token) =>
      t.request('PUT', `/v1/users/me/devices/${device}/push-token`, { token: as, body });
    expect(
      (
        await put('not-my-device', {
          push_token: 'fcm-token-xxxxxxxxxxxxxxxxxxxx',
          platform: 'ios',
        })
      ).status,
    ).toBe(404);
    const bad = await put('iphone-15', { push_token: 'short', platform: 'ios' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('#/body/push_token');
    expect(
      (
        await put(
          'iphone-15',
          { push_token: 'fcm-token-yyyyyyyyyyyyyyyyyyyy', platform: 'ios' },
          '',
        )
      ).status,
    ).toBe(401);
    const stored = await rows<{ push_token: string }>(
      t,
      sql`select push_token from user_devices where user_id = ${user.id}`,
    );
    expect(stored).toEqual([{ push_token: 'fcm-token-iphone-15-00000001' }]);
    // Another user cannot touch this device's token by its id.
    const stranger = await registerUser(t);
    const theirs = await t.request('DELETE', '/v1/users/me/devices/iphone-15/push-token', {
      token: stranger.accessToken,
    });
    expect(theirs.status).toBe(404);
    const removed = await t.request('DELETE', '/v1/users/me/devices/iphone-15/push-token', {
      token,
    });
    expect(removed.status).toBe(204);
    expect(
      await count(t, 'user_devices', sql`user_id = ${user.id} and push_token is not null`),
    ).toBe(0);
  });

  it('silences the phone when its session signs out', async () => {
    const user = await registerUser(t);
    const token = await signInOnPhone(t, user, 'galaxy-s24', 'fcm-token-galaxy-s24-000001');
    expect((await t.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect(
      await count(t, 'user_devices', sql`user_id = ${user.id} and push_token is not null`),
    ).toBe(0);
  });
});

describe('inbox', () => {
  let user: TestUser;
  let ids: string[];
  beforeAll(async () => {
    user = await registerUser(t, { language_preference: 'en' });
    // Five affirmations on five days, oldest first.
    for (let day = 1; day <= 5; day++) {
      t.clock.set(`2026-03-0${day}T14:00:00Z`);
      await t.modules.notifications.deliver({
        user_id: user.id,
        kind: 'affirmation',
        key: `2026-03-0${day}`,
      });
    }
    t.clock.set('2026-03-10T12:00:00Z');
    const all = await t.request('GET', '/v1/notifications', {
      token: user.accessToken,
      query: { limit: 100 },
    });
    ids = all.body.items.map((n: { id: string }) => n.id);
  });
  const api = (method: string, url: string, query?: Record<string, string | number>, as?: string) =>
    t.request(method, url, { token: as ?? user.accessToken, ...(query ? { query } : {}) });

  it('pages newest first with a cursor', async () => {
    const first = await api('GET', '/v1/notifications', { limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toEqual({
      id: expect.any(String),
      kind: 'affirmation',
      title: 'A thought for today',
      body: expect.any(String),
      data: { kind: 'affirmation', affirmation: expect.stringMatching(/^aff-/) },
      created_at: '2026-03-05T14:00:00.000Z',
      read_at: null,
    });
    const second = await api('GET', '/v1/notifications', {
      limit: 2,
      cursor: first.body.next_cursor,
    });
    const third = await api('GET', '/v1/notifications', {
      limit: 2,
      cursor: second.body.next_cursor,
    });
    expect(third.body.next_cursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map(
      (n) => n.created_at,
    );
    expect(seen).toEqual([5, 4, 3, 2, 1].map((d) => `2026-03-0${d}T14:00:00.000Z`));
  });

  it('keeps read state, counts unread, and can put unread first', async () => {
    expect((await api('GET', '/v1/notifications/unread-count')).body).toEqual({ count: 5 });
    const oldest = ids[4]!;
    const read = await api('POST', `/v1/notifications/${oldest}/read`);
    expect(read.status).toBe(200);
    expect(read.body.read_at).toBe('2026-03-10T12:00:00.000Z');
    t.clock.advance(60_000);
    expect((await api('POST', `/v1/notifications/${oldest}/read`)).body.read_at).toBe(
      '2026-03-10T12:00:00.000Z',
    );
    expect((await api('GET', '/v1/notifications/unread-count')).body).toEqual({ count: 4 });
    await api('POST', `/v1/notifications/${ids[0]!}/read`);
    const unreadFirst = await api('GET', '/v1/notifications', { order: 'unread_first', limit: 3 });
    const rest = await api('GET', '/v1/notifications', {
      order: 'unread_first',
      limit: 3,
      cursor: unreadFirst.body.next_cursor,
    });
    const order = [...unreadFirst.body.items, ...rest.body.items].map((n) => [
      n.created_at.slice(8, 10),
      n.read_at !== null,
    ]);
    expect(order).toEqual([
      ['04', false],
      ['03', false],
      ['02', false],
      ['05', true],
      ['01', true],
    ]);
    expect((await api('POST', '/v1/notifications/read-all')).body).toEqual({ updated: 3 });
    expect((await api('GET', '/v1/notifications/unread-count')).body).toEqual({ count: 0 });
  });

  it('deletes an item, and keeps another user out (404)', async () => {
    const stranger = await registerUser(t);
    for (const [method, url] of [
      ['POST', `/v1/notifications/${ids[1]!}/read`],
      ['DELETE', `/v1/notifications/${ids[1]!}`],
    ] as const) {
      const response = await api(method, url, undefined, stranger.accessToken);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(
      (await api('GET', '/v1/notifications', undefined, stranger.accessToken)).body.items,
    ).toEqual([]);
    expect((await api('DELETE', `/v1/notifications/${ids[1]!}`)).status).toBe(204);
    expect((await api('DELETE', `/v1/notifications/${ids[1]!}`)).status).toBe(404);
    expect((await api('POST', `/v1/notifications/${randomUUID()}/read`)).status).toBe(404);
    expect((await api('GET', '/v1/notifications')).body.items).toHaveLength(4);
  });

  it('refuses a forged cursor and a bad order (400); a malformed id names nothing (404)', async () => {
    const forged = Buffer.from(JSON.stringify([1, 'yesterday', 'x'])).toString('base64url');
    const response = await api('GET', '/v1/notifications', { cursor: forged });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].pointer).toBe('#/query/cursor');
    expect((await api('GET', '/v1/notifications', { order: 'oldest' })).status).toBe(400);
    expect((await api('POST', '/v1/notifications/not-a-uuid/read')).status).toBe(404);
  });
});
