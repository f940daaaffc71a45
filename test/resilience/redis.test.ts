// Redis stopped and started again (a private redis-server): the API keeps serving on its
// fallbacks (per-process rate limits, cache bypassed, revocations checked in the
// database), says so in /metrics and /health/ready, and recovers by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { freshToken } from '../helpers/emotions.ts';
import { login, registerUser } from '../helpers/users.ts';
import { toolId } from '../helpers/tools.ts';
import { freePort, privateRedis, type PrivateRedis } from '../helpers/private-services.ts';

const metric = async (t: TestApp, pattern: RegExp): Promise<number | undefined> => {
  const text = (await t.request('GET', '/metrics')).raw;
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
};
const waitFor = async (condition: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
};

describe.runIf(databaseKind() === 'postgres')('Redis down and back', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await privateRedis();
    t = await createTestApp({ env: { REDIS_URL: redis.url } });
    await waitFor(async () => (await metric(t, /^redis_connected (\d)/m)) === 1);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('keeps serving, with its fallbacks, while Redis is down, and recovers', async () => {
    const user = await registerUser(t);
    const tool = await toolId(t, user, 'box-breathing');
    const getTool = (token = user.accessToken) => t.request('GET', `/v1/tools/${tool}`, { token });
    expect((await getTool()).status).toBe(200);

    await redis.stop();
    await waitFor(async () => (await metric(t, /^redis_connected (\d)/m)) === 0);

    // Content reads go to the database; authenticated requests check revocations there.
    const during = await getTool();
    expect(during.status).toBe(200);
    expect(during.body.id).toBe(tool);
    // A logout while Redis is down is still honoured at once.
    const session = await login(t, user);
    const token = session.body.access_token as string;
    expect((await getTool(token)).status).toBe(200);
    expect((await t.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect((await getTool(token)).status).toBe(401);
    // Rate limits fall back to this process's memory: still enforced.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await t.request('POST', '/v1/auth/login', {
        body: { email: user.email, password: 'not-the-password' },
        ip: '10.99.0.1',
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    // Operators see it: ready (Redis is optional), with the failing check and the fallbacks counted.
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { redis: 'failing' },
      optional: ['redis'],
    });
    expect(
      await metric(t, /^dependency_fallbacks_total\{dependency="redis",use="cache"\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(
      await metric(t, /^dependency_fallbacks_total\{dependency="redis",use="revocations"\} (\d+)/m),
    ).toBeGreaterThan(0);

    await redis.start();
    await waitFor(async () => (await metric(t, /^redis_connected (\d)/m)) === 1);
    // Half-open after 5 s, the breaker lets calls through again and closes.
    await waitFor(async () => {
      await getTool(await freshToken(t, user));
      return (await metric(t, /^circuit_breaker_state\{dependency="redis"\} ([\d.]+)/m)) === 0;
    }, 20_000);
    expect((await t.request('GET', '/health/ready')).body.checks.redis).toBe('ok');
    // The logout made during the outage reached Redis for the other replicas.
    expect((await getTool(token)).status).toBe(401);
  }, 60_000);

  it('starts and serves when Redis is unreachable from the beginning', async () => {
    const nowhere = await freePort();
    const app = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${nowhere}` } });
    try {
      const user = await registerUser(app);
      expect((await app.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(
        200,
      );
      expect((await app.request('GET', '/health/ready')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
