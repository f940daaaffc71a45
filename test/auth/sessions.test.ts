import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { login, registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('POST /v1/auth/logout', () => {
  it('ends the session: its access token and refresh token stop working at once', async () => {
    const user = await registerUser(t);
    const other = await login(t, user);
    const response = await t.request('POST', '/v1/auth/logout', { token: user.accessToken });
    expect(response.status).toBe(204);
    const me = await t.request('GET', '/v1/users/me', { token: user.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.type).toBe('https://amirawellness.com/problems/session-revoked');
    const refreshed = await t.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: user.refreshToken },
    });
    expect(refreshed.status).toBe(401);
    // The user's other session is untouched.
    expect(
      (await t.request('GET', '/v1/users/me', { token: other.body.access_token })).status,
    ).toBe(200);
  });

  it('needs a token (401)', async () => {
    expect((await t.request('POST', '/v1/auth/logout')).status).toBe(401);
  });

  it('stays revoked after a restart of an embedded (memory-only) process', async () => {
    const user = await registerUser(t);
    await t.request('POST', '/v1/auth/logout', { token: user.accessToken });
    const restarted = await createTestApp({ replicaOf: t });
    try {
      expect(
        (await restarted.request('GET', '/v1/users/me', { token: user.accessToken })).status,
      ).toBe(401);
    } finally {
      await restarted.close();
    }
  });
});

describe('/v1/auth/sessions', () => {
  it('lists the live sessions with device and marks the current one', async () => {
    const user = await registerUser(t);
    const phone = await login(t, user, {
      device_id: 'android-1',
      device_name: 'Pixel',
      platform: 'android',
    });
    const response = await t.request('GET', '/v1/auth/sessions', {
      token: phone.body.access_token,
      headers: { 'user-agent': 'AmiraApp/1.0' },
    });
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(2);
    const current = response.body.items.filter((s: { is_current: boolean }) => s.is_current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      device_name: 'Pixel',
      platform: 'android',
      ip: '127.0.0.1',
    });
  });

  it('ends one session by id; another user gets 404 for it; an unknown id 404; a bad id 400', async () => {
    const user = await registerUser(t);
    const stranger = await registerUser(t);
    const second = await login(t, user);
    const sessions = (await t.request('GET', '/v1/auth/sessions', { token: user.accessToken })).body
      .items;
    const target = sessions.find((s: { is_current: boolean }) => !s.is_current).id;

    const foreign = await t.request('DELETE', `/v1/auth/sessions/${target}`, {
      token: stranger.accessToken,
    });
    expect(foreign.status).toBe(404);
    expect(
      (await t.request('GET', '/v1/users/me', { token: second.body.access_token })).status,
    ).toBe(200);

    expect(
      (await t.request('DELETE', `/v1/auth/sessions/${target}`, { token: user.accessToken }))
        .status,
    ).toBe(204);
    expect(
      (await t.request('GET', '/v1/users/me', { token: second.body.access_token })).status,
    ).toBe(401);
    const unknown = await t.request(
      'DELETE',
      '/v1/auth/sessions/00000000-0000-4000-8000-000000000000',
      { token: user.accessToken },
    );
    expect(unknown.status).toBe(404);
    expect(
      (await t.request('DELETE', '/v1/auth/sessions/not-a-uuid', { token: user.accessToken }))
        .status,
    ).toBe(404); // a malformed id names nothing (platform/http/unrouted.ts)
    expect((await t.request('DELETE', `/v1/auth/sessions/${target}`)).status).toBe(401);
  });

  it('ends every other session with revoke-others', async () => {
    const user = await registerUser(t);
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await t.request('POST', '/v1/auth/sessions/revoke-others', {
      token: b.body.access_token,
    });
    expect(response.body).toEqual({ revoked: 2 });
    expect((await t.request('GET', '/v1/users/me', { token: a.body.access_token })).status).toBe(
      401,
    );
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(401);
    expect((await t.request('GET', '/v1/users/me', { token: b.body.access_token })).status).toBe(
      200,
    );
    const left = await t.request('GET', '/v1/auth/sessions', { token: b.body.access_token });
    expect(left.body.items).toHaveLength(1);
  });
});
