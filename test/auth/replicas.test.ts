// Two replicas of the API on one database and one Redis: what a load balancer in front
// of several processes relies on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: `amira-test-${randomBytes(4).toString('hex')}:` };
  a = await createTestApp({ env });
  b = await createTestApp({ env, replicaOf: a });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

describe('replicas sharing PostgreSQL and Redis', () => {
  it('accept each other’s tokens', async () => {
    const user = await registerUser(a);
    expect((await b.request('GET', '/v1/users/me', { token: user.accessToken })).body.id).toBe(
      user.id,
    );
    const refreshed = await b.request('POST', '/v1/auth/refresh', {
      body: { refresh_token: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await a.request('GET', '/v1/users/me', { token: refreshed.body.access_token })).status,
    ).toBe(200);
  });

  it('honour a logout made on the other replica at once', async () => {
    const user = await registerUser(a);
    expect((await b.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(200);
    expect((await a.request('POST', '/v1/auth/logout', { token: user.accessToken })).status).toBe(
      204,
    );
    const after = await b.request('GET', '/v1/users/me', { token: user.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.type).toBe('https://amirawellness.com/problems/session-revoked');
  });

  it('share one login failure budget', async () => {
    const user = await registerUser(a);
    const ip = '203.0.113.200';
    const attempt = (app: TestApp, password: string) =>
      app.request('POST', '/v1/auth/login', { ip, body: { email: user.email, password } });
    for (const app of [a, b, a, b, a])
      expect((await attempt(app, 'wrong password')).status).toBe(401);
    expect((await attempt(b, user.password)).status).toBe(429);
    expect((await attempt(a, user.password)).status).toBe(429);
  });
});
