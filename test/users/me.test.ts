// /v1/users/me (the profile) and /v1/users/me/devices.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { login, registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('/v1/users/me', () => {
  it('updates profile fields and merges preferences key by key (null removes a key)', async () => {
    const user = await registerUser(t);
    const first = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: {
        display_name: 'Mar',
        language_preference: 'en',
        time_zone: 'Europe/Madrid',
        preferences: { theme: 'dark', haptics: true },
      },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      display_name: 'Mar',
      language_preference: 'en',
      time_zone: 'Europe/Madrid',
      preferences: { theme: 'dark', haptics: true },
    });
    const second = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { preferences: { haptics: null, sound: 'rain' }, settings: { sign_in_alerts: false } },
    });
    expect(second.body.preferences).toEqual({ theme: 'dark', sound: 'rain' });
    expect(second.body.settings).toEqual({ sign_in_alerts: false });
    expect(second.body.display_name).toBe('Mar');
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).body).toEqual(
      second.body,
    );
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { role: 'admin' }],
    ['an unknown language', { language_preference: 'pt' }],
    ['a name too long', { display_name: 'x'.repeat(101) }],
    ['preferences that are not an object', { preferences: ['a'] }],
  ])('rejects %s with 400 and changes nothing', async (_label, body) => {
    const user = await registerUser(t);
    const before = (await t.request('GET', '/v1/users/me', { token: user.accessToken })).body;
    const response = await t.request('PATCH', '/v1/users/me', { token: user.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).body).toEqual(
      before,
    );
  });

  it('rejects a time zone that is not IANA and changes nothing', async () => {
    const user = await registerUser(t);
    const response = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { time_zone: 'GMT+25' },
    });
    expect(response.status).toBe(400);
    expect(
      (await t.request('GET', '/v1/users/me', { token: user.accessToken })).body.time_zone,
    ).toBe('America/Bogota');
  });

  it('rejects oversized preferences (422)', async () => {
    const user = await registerUser(t);
    const big = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]),
    );
    const response = await t.request('PATCH', '/v1/users/me', {
      token: user.accessToken,
      body: { preferences: big },
    });
    expect(response.status).toBe(422);
  });

  it('needs a token (401)', async () => {
    expect((await t.request('GET', '/v1/users/me')).status).toBe(401);
    expect((await t.request('PATCH', '/v1/users/me', { body: { display_name: 'x' } })).status).toBe(
      401,
    );
  });
});

describe('/v1/users/me/devices', () => {
  it('lists devices; deleting one ends its sessions; another user gets 404', async () => {
    const user = await registerUser(t);
    const stranger = await registerUser(t);
    const phone = await login(t, user, {
      device_id: 'phone-1',
      device_name: 'Phone',
      platform: 'ios',
    });
    await login(t, user, { device_id: 'phone-1', device_name: 'Phone renamed', platform: 'ios' });
    const listed = await t.request('GET', '/v1/users/me/devices', { token: user.accessToken });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      device_id: 'phone-1',
      device_name: 'Phone renamed',
      platform: 'ios',
      has_push_token: false,
      is_active: true,
    });
    const id = listed.body.items[0].id;

    expect(
      (await t.request('DELETE', `/v1/users/me/devices/${id}`, { token: stranger.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await t.request('GET', '/v1/users/me/devices', { token: stranger.accessToken })).body.items,
    ).toEqual([]);

    expect(
      (await t.request('DELETE', `/v1/users/me/devices/${id}`, { token: user.accessToken })).status,
    ).toBe(204);
    expect(
      (await t.request('GET', '/v1/users/me', { token: phone.body.access_token })).status,
    ).toBe(401);
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(200);
    expect(
      (await t.request('DELETE', `/v1/users/me/devices/${id}`, { token: user.accessToken })).status,
    ).toBe(404);
    expect(
      (await t.request('DELETE', '/v1/users/me/devices/123', { token: user.accessToken })).status,
    ).toBe(404); // a malformed id names nothing (platform/http/unrouted.ts)
    expect((await t.request('GET', '/v1/users/me/devices')).status).toBe(401);
  });

  it('rejects an unknown platform at login (400) and stores no device', async () => {
    const user = await registerUser(t);
    const response = await login(t, user, { device_id: 'x', platform: 'blackberry' });
    expect(response.status).toBe(400);
    const devices = await rows(t, sql`select id from user_devices where user_id = ${user.id}`);
    expect(devices).toEqual([]);
  });
});
