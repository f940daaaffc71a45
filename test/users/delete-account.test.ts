import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows, userOwnedTables } from '../helpers/db.ts';
import { login, registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('DELETE /v1/users/me', () => {
  it('refuses a wrong password (403) and keeps everything', async () => {
    const user = await registerUser(t);
    const response = await t.request('DELETE', '/v1/users/me', {
      token: user.accessToken,
      body: { password: 'wrong password' },
    });
    expect(response.status).toBe(403);
    expect(await count(t, 'users', sql`id = ${user.id}`)).toBe(1);
  });

  it('deletes every row of the user in every user-owned table and ends all sessions', async () => {
    const user = await registerUser(t);
    const keeper = await registerUser(t);
    const phone = await login(t, user, { device_id: 'd1', platform: 'android' });
    await t.request('PUT', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
      body: { envelopes: [{ label: 'recovery', envelope: 'cmVj' }] },
    });
    await t.request('POST', '/v1/auth/refresh', { body: { refresh_token: user.refreshToken } });

    const response = await t.request('DELETE', '/v1/users/me', {
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(response.status).toBe(204);
    for (const table of await userOwnedTables(t)) {
      const column = table === 'users' ? 'id' : 'user_id';
      expect(await count(t, table, sql`${sql.identifier(column)} = ${user.id}`), table).toBe(0);
    }
    expect(
      (await t.request('GET', '/v1/users/me', { token: phone.body.access_token })).status,
    ).toBe(401);
    expect((await login(t, user)).status).toBe(401);
    const [event] = await rows<{ user_id: string | null }>(
      t,
      sql`select user_id from security_events where type = 'account_deleted'`,
    );
    expect(event).toEqual({ user_id: null });
    // The other account is untouched.
    expect((await t.request('GET', '/v1/users/me', { token: keeper.accessToken })).status).toBe(
      200,
    );
  });

  it('requires a body with the password (400) and a token (401)', async () => {
    const user = await registerUser(t);
    expect(
      (await t.request('DELETE', '/v1/users/me', { token: user.accessToken, body: {} })).status,
    ).toBe(400);
    expect((await t.request('DELETE', '/v1/users/me', { body: { password: 'x' } })).status).toBe(
      401,
    );
    expect(await count(t, 'users', sql`id = ${user.id}`)).toBe(1);
  });
});
