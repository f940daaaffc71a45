// /v1/users/me/security-events: the account's audit trail (auth's security-events/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

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
