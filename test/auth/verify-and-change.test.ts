import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { login, registerUser } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

describe('email verification', () => {
  it('verifies once with the emailed token; the token cannot be reused', async () => {
    const user = await registerUser(t, { language_preference: 'es', display_name: 'Lucía' });
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(user.email);
    expect(mail.subject).toBe('Confirma tu correo en Amira');
    expect(mail.text).toContain('Hola Lucía:');
    const token = tokenFromMail(mail);
    expect((await t.request('POST', '/v1/auth/verify-email', { body: { token } })).body).toEqual({
      email_verified: true,
    });
    expect((await t.request('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(
      400,
    );
  });

  it('refuses a token older than 24 hours', async () => {
    const user = await registerUser(t);
    await t.drainJobs();
    const token = tokenFromMail(await t.inbox!.waitFor(user.email));
    t.clock.advance(25 * 60 * 60 * 1000);
    expect((await t.request('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(
      400,
    );
  });

  it('resends on request (202), refuses when already verified (409), and limits resends', async () => {
    const user = await registerUser(t);
    await t.drainJobs();
    const first = tokenFromMail(await t.inbox!.waitFor(user.email));
    expect(
      (await t.request('POST', '/v1/auth/verify-email/resend', { token: user.accessToken })).status,
    ).toBe(202);
    await t.drainJobs();
    const second = await t.inbox!.waitFor(user.email, (m) => tokenFromMail(m) !== first);
    expect(
      (await t.request('POST', '/v1/auth/verify-email', { body: { token: tokenFromMail(second) } }))
        .status,
    ).toBe(200);
    const again = await t.request('POST', '/v1/auth/verify-email/resend', {
      token: user.accessToken,
    });
    expect(again.status).toBe(409);
    expect((await t.request('POST', '/v1/auth/verify-email/resend')).status).toBe(401);

    const other = await registerUser(t);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await t.request('POST', '/v1/auth/verify-email/resend', { token: other.accessToken }))
          .status,
      );
    expect(statuses).toEqual([202, 202, 202, 429]);
  });

  it('does not count a refused resend (already verified) against the budget', async () => {
    const user = await registerUser(t);
    await t.drainJobs();
    const token = tokenFromMail(await t.inbox!.waitFor(user.email));
    await t.request('POST', '/v1/auth/verify-email', { body: { token } });
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await t.request('POST', '/v1/auth/verify-email/resend', { token: user.accessToken }))
          .status,
      );
    expect(statuses).toEqual([409, 409, 409, 409, 409]);
  });
});

describe('POST /v1/auth/change-password', () => {
  it('changes hash and key envelope together and ends the other sessions', async () => {
    const user = await registerUser(t);
    const other = await login(t, user);
    const response = await t.request('POST', '/v1/auth/change-password', {
      token: user.accessToken,
      body: {
        current_password: user.password,
        new_password: 'a fresh start today',
        key_envelope: 'cmV3cmFwcGVk',
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 1 });
    expect(
      (await t.request('GET', '/v1/users/me', { token: other.body.access_token })).status,
    ).toBe(401);
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(200);
    expect((await login(t, { email: user.email, password: 'a fresh start today' })).status).toBe(
      200,
    );
    const envelopes = await t.request('GET', '/v1/users/me/key-envelopes', {
      token: user.accessToken,
    });
    expect(envelopes.body.items[0]).toMatchObject({ label: 'password', envelope: 'cmV3cmFwcGVk' });
  });

  it('refuses a wrong current password with 403 and changes nothing', async () => {
    const user = await registerUser(t);
    const [before] = await rows<{ password_hash: string }>(
      t,
      sql`select password_hash from users where id = ${user.id}`,
    );
    const response = await t.request('POST', '/v1/auth/change-password', {
      token: user.accessToken,
      body: {
        current_password: 'not my password',
        new_password: 'a fresh start today',
        key_envelope: 'cmV3cmFwcGVk',
      },
    });
    expect(response.status).toBe(403);
    expect(response.body.type).toBe('https://amirawellness.com/problems/password-incorrect');
    const [after] = await rows<{ password_hash: string }>(
      t,
      sql`select password_hash from users where id = ${user.id}`,
    );
    expect(after).toEqual(before);
    expect(
      (await t.request('GET', '/v1/users/me/key-envelopes', { token: user.accessToken })).body
        .items,
    ).toEqual([]);
  });

  it('requires the key envelope (400) and a strong new password (422)', async () => {
    const user = await registerUser(t);
    const missing = await t.request('POST', '/v1/auth/change-password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: 'a fresh start today' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { pointer: '#/body/key_envelope', message: 'is required' },
    ]);
    const weak = await t.request('POST', '/v1/auth/change-password', {
      token: user.accessToken,
      body: {
        current_password: user.password,
        new_password: 'letmein1',
        key_envelope: 'cmV3cmFwcGVk',
      },
    });
    expect(weak.status).toBe(422);
    expect((await login(t, user)).status).toBe(200);
  });

  it('needs a token (401)', async () => {
    const response = await t.request('POST', '/v1/auth/change-password', {
      body: {
        current_password: 'x',
        new_password: 'a fresh start today',
        key_envelope: 'cmV3cmFwcGVk',
      },
    });
    expect(response.status).toBe(401);
  });
});
