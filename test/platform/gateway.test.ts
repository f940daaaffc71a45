// Gateway duties done in the app: global request budgets with RateLimit headers, security
// headers, CORS from an allow-list, compression, body-size limits, load shedding.
import { gunzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shedUnlessExempt } from '../../src/platform/http/gateway.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';
import { uploadRecording } from '../helpers/journals.ts';

describe('global rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_IP_PER_MINUTE: '6', RATE_LIMIT_USER_PER_MINUTE: '3' },
    });
  });
  afterAll(() => t.close());

  it('counts every request of an address, announces the budget, then answers 429', async () => {
    const hit = () => t.request('GET', '/v1/emotions/types', { ip: '10.1.1.1' });
    const first = await hit();
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('6');
    expect(first.headers['ratelimit-remaining']).toBe('5');
    expect(first.headers['ratelimit-policy']).toBe('6;w=60');
    for (let i = 0; i < 5; i++) await hit();
    const refused = await hit();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.type).toBe('https://amirawellness.com/problems/rate-limited');
    // Another address has its own budget; health checks are never limited.
    expect((await t.request('GET', '/v1/emotions/types', { ip: '10.1.1.2' })).status).toBe(200);
    expect((await t.request('GET', '/health/live', { ip: '10.1.1.1' })).status).toBe(200);
  });

  it('lets exactly the budget through when a burst of requests arrives at once', async () => {
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => t.request('GET', '/v1/emotions/types', { ip: '10.1.9.9' })),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(6).fill(200), ...Array(14).fill(429)]);
    const remaining = burst
      .filter((r) => r.status === 200)
      .map((r) => Number(r.headers['ratelimit-remaining']))
      .sort();
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives each signed-in user a budget of their own, whatever address they come from', async () => {
    const user = await registerUser(t);
    const me = (ip: string) => t.request('GET', '/v1/users/me', { token: user.accessToken, ip });
    const statuses = [
      await me('10.2.0.1'),
      await me('10.2.0.2'),
      await me('10.2.0.3'),
      await me('10.2.0.4'),
    ].map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('headers, CORS, compression, body limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.amirawellness.com' } });
  });
  afterAll(() => t.close());

  it('sends security headers on API responses', async () => {
    const response = await t.request('GET', '/v1/emotions/types');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers['strict-transport-security']).toContain('max-age=');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      t.request('OPTIONS', '/v1/emotions', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.amirawellness.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.amirawellness.com');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('compresses large JSON when the client accepts it', async () => {
    const get = (url: string) =>
      t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    const large = await get('/openapi.json');
    expect(large.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(large.rawPayload).toString()).openapi).toBe('3.1.0');
    expect((await get('/health/live')).headers['content-encoding']).toBeUndefined();
  });

  it('never compresses ciphertext: a recording downloads as stored, whatever Accept-Encoding says', async () => {
    const user = await registerUser(t);
    const { journal, encrypted } = await uploadRecording(t, user.accessToken, {}, 200_000);
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/journals/${journal.id}/audio`,
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'accept-encoding': 'gzip, deflate, br',
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.rawPayload.equals(encrypted.ciphertext)).toBe(true);
  });

  it('refuses a JSON body over 64 KiB with a 413 problem document', async () => {
    const response = await t.request('POST', '/v1/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.body.type).toBe('https://amirawellness.com/problems/payload-too-large');
  });
});

describe('load shedding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      // Far above the lag a busy CI machine causes by itself (so the recovery below does not
      // depend on the machine being quiet), far below the block (so shedding is certain),
      // and the block shorter than the 1 s sampling window (see shedUnlessExempt).
      env: { MAX_EVENT_LOOP_DELAY_MS: '250' },
      extend: (app) => {
        // Blocks the event loop, as a runaway computation would.
        app.get('/test/block', async () => {
          const until = Date.now() + 700;
          while (Date.now() < until);
          return { blocked: true };
        });
      },
    });
  });
  afterAll(() => t.close());

  it('answers 503 quickly while the event loop lags, and serves again once it recovers', async () => {
    let shed: Awaited<ReturnType<TestApp['request']>> | undefined;
    for (let i = 0; i < 20 && !shed; i++) {
      await t.request('GET', '/test/block');
      // inject() never leaves the microtask queue; a real server would, and so must the sampler.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await t.request('GET', '/v1/emotions/types');
      if (response.status === 503) shed = response;
    }
    expect(shed?.body).toMatchObject({
      type: 'https://amirawellness.com/problems/overloaded',
      status: 503,
    });
    expect(shed?.headers['retry-after']).toBe('10');
    // Probes are never shed.
    await t.request('GET', '/test/block');
    expect((await t.request('GET', '/health/live')).status).toBe(200);
    await waitFor(async () => (await t.request('GET', '/v1/emotions/types')).status === 200, {
      what: 'serving again once the loop is free',
    });
  });
});

describe('what the load shedder sheds', () => {
  const request = (url: string) => ({ url }) as FastifyRequest;
  const reply = {} as FastifyReply;

  it('sheds a lagging loop, never the probes, and not a sampling window left without a sample', async () => {
    await expect(
      shedUnlessExempt(request('/v1/emotions/types'), reply, TYPE_EVENT_LOOP_DELAY, 1500),
    ).rejects.toMatchObject({ status: 503, code: 'overloaded' });
    await expect(
      shedUnlessExempt(request('/health/ready'), reply, TYPE_EVENT_LOOP_DELAY, 1500),
    ).resolves.toBeUndefined();
    await expect(
      shedUnlessExempt(request('/v1/emotions/types'), reply, TYPE_EVENT_LOOP_DELAY, Infinity),
    ).resolves.toBeUndefined();
  });
});
