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

describe('/v1/users/me/key-envelopes', () => {
  it('stores envelopes by label; the password label changes only with the password', async () => {
    const user = await registerUser(t);
    const put = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: {
        envelopes: [
          { label: 'password', envelope: 'cGFzc3dvcmQ=' },
          { label: 'recovery', envelope: 'cmVjb3Zlcnk=' },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.items.map((e: { label: string }) => e.label)).toEqual(['password', 'recovery']);
    const replaceRecovery = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'recovery', envelope: 'cmVjb3ZlcnkyMg==' }] },
    });
    expect(replaceRecovery.body.items[1]).toMatchObject({
      label: 'recovery',
      envelope: 'cmVjb3ZlcnkyMg==',
    });
    const locked = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'password', envelope: 'b3RoZXI=' }] },
    });
    expect(locked.status).toBe(409);
    const stranger = await registerUser(t);
    expect(
      (await t.request('GET', '/v1/users/me/key-envelopes', { token: stranger.accessToken })).body
        .items,
    ).toEqual([]);
  });

  it.each([
    ['a label with capitals', [{ label: 'Recovery', envelope: 'cmVjb3Zlcnk=' }], 400],
    ['an envelope that is not base64', [{ label: 'recovery', envelope: 'not base64!' }], 400],
    ['an envelope over 4 KiB', [{ label: 'recovery', envelope: 'A'.repeat(4100) }], 400],
    [
      'the same label twice',
      [
        { label: 'a', envelope: 'YWFhYQ==' },
        { label: 'a', envelope: 'YmJiYg==' },
      ],
      422,
    ],
    ['no envelope', [], 400],
  ])('rejects %s and stores nothing', async (_label, envelopes, status) => {
    const user = await registerUser(t);
    const response = await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes },
    });
    expect(response.status).toBe(status);
    expect(
      (await t.request('GET', '/v1/users/me/key-envelopes', { token: user.accessToken })).body
        .items,
    ).toEqual([]);
  });
});

describe('/v1/users/me/security-events', () => {
  it('lists the audit trail newest first, with address and agent and no secrets, paginated', async () => {
    const user = await registerUser(t);
    t.clock.advance(1000);
    await t.request('POST', '/v1/auth/login', {
      headers: { 'user-agent': 'Test/2.0' },
      body: { email: user.email, password: 'wrong' },
    });
    t.clock.advance(1000);
    await t.request('POST', '/v1/auth/login', {
      headers: { 'user-agent': 'Test/2.0' },
      body: { email: user.email, password: user.password },
    });
    const page1 = await t.request('GET', '/v1/users/me/security-events', {
      token: user.accessToken,
      query: { limit: 2 },
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((e: { type: string }) => e.type)).toEqual([
      'login_succeeded',
      'login_failed',
    ]);
    expect(page1.body.items[0]).toMatchObject({ ip: '127.0.0.1', user_agent: 'Test/2.0' });
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await t.request('GET', '/v1/users/me/security-events', {
      token: user.accessToken,
      query: { limit: 2, cursor: page1.body.next_cursor },
    });
    expect(page2.body.items.map((e: { type: string }) => e.type)).toEqual(['register']);
    expect(page2.body.next_cursor).toBeNull();
    expect(JSON.stringify([page1.body, page2.body])).not.toContain(user.password);
  });

  it('rejects a tampered cursor and an out-of-range limit (400)', async () => {
    const user = await registerUser(t);
    expect(
      (
        await t.request('GET', '/v1/users/me/security-events', {
          token: user.accessToken,
          query: { cursor: 'bm9wZQ' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.request('GET', '/v1/users/me/security-events', {
          token: user.accessToken,
          query: { limit: 101 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.request('GET', '/v1/users/me/security-events', {
          token: user.accessToken,
          query: { limit: 0 },
        })
      ).status,
    ).toBe(400);
  });
});
