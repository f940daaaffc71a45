import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { registerUser, uniqueEmail } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

const validBody = (email = uniqueEmail()) => ({
  email,
  password: 'quiet morning walks',
  language_preference: 'es',
  time_zone: 'America/Mexico_City',
});

describe('POST /v1/auth/register', () => {
  it('creates the account, returns a working token pair and sends a verification email in the user language', async () => {
    const email = uniqueEmail('Ana');
    const response = await t.request('POST', '/v1/auth/register', {
      body: { ...validBody(email.toUpperCase()), display_name: 'Ana', language_preference: 'en' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 900,
      user: {
        email: email.toLowerCase(),
        email_verified: false,
        display_name: 'Ana',
        language_preference: 'en',
        time_zone: 'America/Mexico_City',
        role: 'user',
        account_status: 'active',
        preferences: {},
        settings: {},
        last_login_at: null,
      },
    });
    expect(response.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    const me = await t.request('GET', '/v1/users/me', { token: response.body.access_token });
    expect(me.body.id).toBe(response.body.user.id);

    const [stored] = await rows<{ password_hash: string }>(
      t,
      sql`select password_hash from users where id = ${me.body.id}`,
    );
    expect(stored?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored?.password_hash).not.toContain('quiet morning walks');

    expect(await t.drainJobs()).toBeGreaterThanOrEqual(1);
    const mail = await t.inbox!.waitFor(email.toLowerCase());
    expect(mail.subject).toBe('Confirm your email for Amira');
    expect(mail.text).toContain('Hi Ana,');
    expect(mail.text).toMatch(/https:\/\/app\.test\/verify-email#token=[A-Za-z0-9_-]{43}/);
    const verified = await t.request('POST', '/v1/auth/verify-email', {
      body: { token: tokenFromMail(mail) },
    });
    expect(verified.status).toBe(200);
    expect(
      (await t.request('GET', '/v1/users/me', { token: response.body.access_token })).body
        .email_verified,
    ).toBe(true);
  });

  it('stores the key envelope and client key parameters, which key-params then returns', async () => {
    const email = uniqueEmail();
    const keyParams = {
      salt: 'c2FsdHNhbHRzYWx0c2FsdA',
      memory_kib: 65536,
      iterations: 3,
      parallelism: 1,
    };
    const response = await t.request('POST', '/v1/auth/register', {
      body: { ...validBody(email), key_envelope: 'ZW52ZWxvcGUtYnl0ZXM=', key_params: keyParams },
    });
    expect(response.status).toBe(201);
    const envelopes = await t.request('GET', '/v1/users/me/key-envelopes', {
      token: response.body.access_token,
    });
    expect(envelopes.body.items).toEqual([
      { label: 'password', envelope: 'ZW52ZWxvcGUtYnl0ZXM=', updated_at: expect.any(String) },
    ]);
    const params = await t.request('GET', '/v1/auth/key-params', { query: { email } });
    expect(params.body).toEqual({ kdf: 'argon2id', ...keyParams });
  });

  it('refuses a second account for the same email, whatever its case (409)', async () => {
    const email = uniqueEmail();
    await registerUser(t, { email });
    const again = await t.request('POST', '/v1/auth/register', {
      body: validBody(email.toUpperCase()),
    });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body).toMatchObject({
      type: 'https://amirawellness.com/problems/email-taken',
      status: 409,
    });
    expect(await count(t, 'users', sql`email = ${email}`)).toBe(1);
  });

  it.each([
    ['short', 'short7!', 'must be at least 8 characters'],
    ['common', 'password123', 'is too common'],
    ['common, other case', 'Iloveyou', 'is too common'],
    ['same as the email', 'SAME', 'is too common'],
  ])('rejects a %s password with 422 and stores nothing', async (_label, password, message) => {
    const email = uniqueEmail();
    const body = { ...validBody(email), password: password === 'SAME' ? email : password };
    const response = await t.request('POST', '/v1/auth/register', { body });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe('https://amirawellness.com/problems/weak-password');
    expect(response.body.errors).toEqual([{ pointer: '#/body/password', message }]);
    expect(await count(t, 'users', sql`email = ${email}`)).toBe(0);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, '#/body/email'],
    ['an unknown language', { language_preference: 'fr' }, '#/body/language_preference'],
    ['an unknown field', { is_admin: true }, '#/body/is_admin'],
    ['a password longer than 1024', { password: 'x'.repeat(1025) }, '#/body/password'],
    ['a number as the email', { email: 42 }, '#/body/email'],
  ])(
    'rejects %s with a 400 problem naming the field, storing nothing',
    async (_label, change, pointer) => {
      const before = await count(t, 'users');
      const response = await t.request('POST', '/v1/auth/register', {
        body: { ...validBody(), ...change },
      });
      expect(response.status).toBe(400);
      expect(response.body.type).toBe('https://amirawellness.com/problems/validation-failed');
      expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      expect(await count(t, 'users')).toBe(before);
    },
  );

  it('rejects a time zone that is not IANA, storing nothing', async () => {
    const email = uniqueEmail();
    const response = await t.request('POST', '/v1/auth/register', {
      body: { ...validBody(email), time_zone: 'Mars/Olympus' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { pointer: '#/body/time_zone', message: 'is not an IANA time zone' },
    ]);
    expect(await count(t, 'users', sql`email = ${email}`)).toBe(0);
  });

  it('rejects a body that is not JSON with a problem document', async () => {
    const response = await t.request('POST', '/v1/auth/register', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('https://amirawellness.com/problems/malformed-body');
  });

  it('limits registrations per address (429 with Retry-After)', async () => {
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await t.request('POST', '/v1/auth/register', {
        ip,
        body: { ...validBody(), password: 'short' },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.body.type).toBe('https://amirawellness.com/problems/rate-limited');
      }
    }
    expect(statuses.slice(0, 20).every((s) => s === 422)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});
