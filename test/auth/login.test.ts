import { sql } from 'drizzle-orm';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { login, registerUser, uniqueEmail } from '../helpers/users.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /v1/auth/key-params', () => {
  it('returns the stored parameters of a known email', async () => {
    const user = await registerUser(t);
    const response = await t.request('GET', '/v1/auth/key-params', {
      query: { email: user.email },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      kdf: 'argon2id',
      salt: expect.any(String),
      memory_kib: 65536,
      iterations: 3,
      parallelism: 1,
    });
  });

  it('answers an unknown email in the same form, with a stable salt that differs per email', async () => {
    const known = await registerUser(t);
    const knownParams = (
      await t.request('GET', '/v1/auth/key-params', { query: { email: known.email } })
    ).body;
    const a1 = (
      await t.request('GET', '/v1/auth/key-params', { query: { email: 'nobody.a@example.com' } })
    ).body;
    const a2 = (
      await t.request('GET', '/v1/auth/key-params', { query: { email: 'NOBODY.A@example.com' } })
    ).body;
    const b = (
      await t.request('GET', '/v1/auth/key-params', { query: { email: 'nobody.b@example.com' } })
    ).body;
    expect(Object.keys(a1).sort()).toEqual(Object.keys(knownParams).sort());
    expect(a1.salt).toHaveLength(knownParams.salt.length);
    expect(a1).toEqual(a2);
    expect(a1.salt).not.toBe(b.salt);
  });

  it('rejects a malformed email (400)', async () => {
    const response = await t.request('GET', '/v1/auth/key-params', { query: { email: 'nope' } });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].pointer).toBe('#/query/email');
  });
});

describe('POST /v1/auth/login', () => {
  it('signs in, records the device and the login time', async () => {
    const user = await registerUser(t);
    const device = { device_id: 'ios-1234', device_name: "Ana's iPhone", platform: 'ios' };
    const response = await login(t, user, device);
    expect(response.status).toBe(200);
    expect(response.body.user.last_login_at).toBe(t.clock.now().toISOString());
    expect(response.body.refresh_token).not.toBe(user.refreshToken);
    const sessions = await t.request('GET', '/v1/auth/sessions', {
      token: response.body.access_token,
    });
    const current = sessions.body.items.find((s: { is_current: boolean }) => s.is_current);
    expect(current).toMatchObject({ device_name: "Ana's iPhone", platform: 'ios' });
    expect(sessions.body.items).toHaveLength(2); // registration + this login
  });

  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const user = await registerUser(t);
    const wrong = await login(t, { email: user.email, password: 'not the password' });
    const unknown = await login(t, { email: uniqueEmail('ghost'), password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body.type).toBe('https://amirawellness.com/problems/invalid-credentials');
    const [event] = await rows<{ type: string; ip: string }>(
      t,
      sql`select type, ip from security_events where user_id = ${user.id} and type = 'login_failed'`,
    );
    expect(event).toEqual({ type: 'login_failed', ip: '127.0.0.1' });
  });

  it('allows 5 failures a minute per address and email, then 429 with Retry-After', async () => {
    const user = await registerUser(t);
    const ip = '198.51.100.5';
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await t.request('POST', '/v1/auth/login', {
            ip,
            body: { email: user.email, password: 'wrong one' },
          })
        ).status,
      ).toBe(401);
    }
    const blocked = await t.request('POST', '/v1/auth/login', {
      ip,
      body: { email: user.email, password: user.password },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect(
      (
        await t.request('POST', '/v1/auth/login', {
          ip: '198.51.100.6',
          body: { email: user.email, password: user.password },
        })
      ).status,
    ).toBe(200);
  });

  it('does not count a right password as a failure, nor erase the failures before it', async () => {
    const user = await registerUser(t);
    const ip = '198.51.100.7';
    const attempt = (password: string) =>
      t.request('POST', '/v1/auth/login', { ip, body: { email: user.email, password } });
    const statuses: number[] = [];
    for (const password of [
      ...Array<string>(4).fill('wrong one'),
      ...Array<string>(3).fill(user.password), // given back: the budget still has one failure
      'wrong one', // the fifth failure of the minute
      user.password, // the budget is spent, even for the right password
    ])
      statuses.push((await attempt(password)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 200, 200, 200, 401, 429]);
  });

  it('allows 30 failures a minute per address across emails', async () => {
    const ip = '198.51.100.30';
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const response = await t.request('POST', '/v1/auth/login', {
        ip,
        body: { email: uniqueEmail('spray'), password: 'guess guess' },
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses[30]).toBe(429);
  });

  it('upgrades a hash made with outdated Argon2 parameters at the next login', async () => {
    const user = await registerUser(t);
    const weak = await hash(user.password, {
      algorithm: 2,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`update users set password_hash = ${weak} where id = ${user.id}`),
    );
    expect((await login(t, user)).status).toBe(200);
    const [row] = await rows<{ password_hash: string }>(
      t,
      sql`select password_hash from users where id = ${user.id}`,
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(t, user)).status).toBe(200);
  });

  it('rejects a body without password (400) and creates no session', async () => {
    const user = await registerUser(t);
    const before = await count(t, 'sessions', sql`user_id = ${user.id}`);
    const response = await t.request('POST', '/v1/auth/login', { body: { email: user.email } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ pointer: '#/body/password', message: 'is required' }]);
    expect(await count(t, 'sessions', sql`user_id = ${user.id}`)).toBe(before);
  });
});
