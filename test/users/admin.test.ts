import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { login, promoteToAdmin, registerUser, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await promoteToAdmin(t, await registerUser(t));
});
afterAll(() => t.close());

describe('/v1/admin/users', () => {
  it('is forbidden to a plain user (403) and needs a token (401)', async () => {
    const user = await registerUser(t);
    const listed = await t.request('GET', '/v1/admin/users', { token: user.accessToken });
    expect(listed.status).toBe(403);
    expect(listed.body.type).toBe('https://amirawellness.com/problems/forbidden');
    const patched = await t.request('PATCH', `/v1/admin/users/${user.id}`, {
      token: user.accessToken,
      body: { role: 'admin' },
    });
    expect(patched.status).toBe(403);
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).body.role).toBe(
      'user',
    );
    expect((await t.request('GET', '/v1/admin/users')).status).toBe(401);
  });

  it('lists accounts newest first with cursor pagination and an email prefix filter', async () => {
    const a = await registerUser(t, { email: `zeta.${Date.now()}@example.com` });
    t.clock.advance(1000);
    const b = await registerUser(t, { email: `zeta.${Date.now()}.b@example.com` });
    const page1 = await t.request('GET', '/v1/admin/users', {
      token: admin.accessToken,
      query: { limit: 1, email: 'zeta.' },
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toEqual([
      expect.objectContaining({ id: b.id, email: b.email, role: 'user', account_status: 'active' }),
    ]);
    const page2 = await t.request('GET', '/v1/admin/users', {
      token: admin.accessToken,
      query: { limit: 1, email: 'zeta.', cursor: page1.body.next_cursor },
    });
    expect(page2.body.items.map((u: { id: string }) => u.id)).toEqual([a.id]);
    expect(page2.body.next_cursor).toBeNull();
    expect(Object.keys(page1.body.items[0]).sort()).toEqual([
      'account_status',
      'created_at',
      'email',
      'email_verified',
      'id',
      'last_login_at',
      'purge_after',
      'role',
    ]);
  });

  it('changes a role, which the next token carries, and audits who did it', async () => {
    const user = await registerUser(t);
    t.clock.advance(1000);
    const response = await t.request('PATCH', `/v1/admin/users/${user.id}`, {
      token: admin.accessToken,
      body: { role: 'content_manager' },
    });
    expect(response.status).toBe(200);
    expect(response.body.role).toBe('content_manager');
    const refreshed = await t.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: user.refreshToken },
    });
    const claims = JSON.parse(
      Buffer.from(refreshed.body.access_token.split('.')[1], 'base64url').toString(),
    );
    expect(claims).toMatchObject({ role: 'content_manager', scope: 'app content:write' });
    const events = await t.request('GET', '/v1/users/me/security-events', {
      token: refreshed.body.access_token,
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'role_changed',
      metadata: { from: 'user', to: 'content_manager', by: admin.id },
    });
  });

  it('locks an account: sessions end at once, login and refresh are refused; unlocking restores login', async () => {
    const user = await registerUser(t);
    const locked = await t.request('PATCH', `/v1/admin/users/${user.id}`, {
      token: admin.accessToken,
      body: { account_status: 'locked' },
    });
    expect(locked.body.account_status).toBe('locked');
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(401);
    const signIn = await login(t, user);
    expect(signIn.status).toBe(403);
    expect(signIn.body.type).toBe('https://amirawellness.com/problems/account-locked');
    expect(
      (await t.request('POST', '/v1/auth/refresh', { body: { refresh_token: user.refreshToken } }))
        .status,
    ).toBe(401);
    await t.request('PATCH', `/v1/admin/users/${user.id}`, {
      token: admin.accessToken,
      body: { account_status: 'active' },
    });
    expect((await login(t, user)).status).toBe(200);
  });

  it('refuses a refresh of a live session once the account is locked (403)', async () => {
    const user = await registerUser(t);
    // Lock without revoking through the API path: a session that somehow survived still cannot refresh.
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`update users set account_status = 'locked' where id = ${user.id}`),
    );
    const response = await t.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: user.refreshToken },
    });
    expect(response.status).toBe(403);
  });

  it('stops an administrator locking or demoting themselves (409), changing nothing', async () => {
    const before = await rows(
      t,
      sql`select role, account_status, updated_at from users where id = ${admin.id}`,
    );
    const eventsBefore = await count(t, 'security_events', sql`user_id = ${admin.id}`);
    for (const body of [
      { account_status: 'locked' },
      { role: 'user' },
      { role: 'premium', account_status: 'active' },
    ]) {
      const self = await t.request('PATCH', `/v1/admin/users/${admin.id}`, {
        token: admin.accessToken,
        body,
      });
      expect(self.status, JSON.stringify(body)).toBe(409);
      expect(self.body.type).toBe('https://amirawellness.com/problems/self-demotion');
    }
    // The account row, its audit trail and its sessions are as they were.
    expect(
      await rows(t, sql`select role, account_status, updated_at from users where id = ${admin.id}`),
    ).toEqual(before);
    expect(before).toEqual([expect.objectContaining({ role: 'admin', account_status: 'active' })]);
    expect(await count(t, 'security_events', sql`user_id = ${admin.id}`)).toBe(eventsBefore);
    expect(await count(t, 'sessions', sql`user_id = ${admin.id} and revoked_at is not null`)).toBe(
      0,
    );
    const stillAdmin = await t.request('GET', '/v1/admin/users', {
      token: admin.accessToken,
      query: { limit: 1 },
    });
    expect(stillAdmin.status).toBe(200);
  });

  it('answers 404 for an unknown account and 400 for bad input, changing nothing', async () => {
    const user = await registerUser(t);
    expect(
      (
        await t.request('PATCH', '/v1/admin/users/00000000-0000-4000-8000-000000000001', {
          token: admin.accessToken,
          body: { role: 'premium' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await t.request('PATCH', `/v1/admin/users/${user.id}`, {
          token: admin.accessToken,
          body: { role: 'superuser' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.request('PATCH', `/v1/admin/users/${user.id}`, {
          token: admin.accessToken,
          body: {},
        })
      ).status,
    ).toBe(400);
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).body.role).toBe(
      'user',
    );
    expect(
      await count(
        t,
        'security_events',
        sql`user_id = ${user.id} and type in ('role_changed', 'status_changed')`,
      ),
    ).toBe(0);
  });
});
