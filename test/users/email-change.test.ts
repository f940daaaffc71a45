// Changing the email address: asked for in a re-authenticated session, confirmed from the
// new address, announced to the old one.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { login, registerUser, stepUp, uniqueEmail } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

const problem = (code: string) => `https://amirawellness.com/problems/${code}`;
const emailOf = async (id: string) =>
  (await rows<{ email: string }>(t, sql`select email from users where id = ${id}`))[0]?.email;

describe('email change', () => {
  it('changes the address only once the link sent to the new one is followed', async () => {
    const user = await registerUser(t, { display_name: 'Marta' });
    const newEmail = uniqueEmail('nueva');
    await stepUp(t, user);
    const asked = await t.request('POST', '/v1/users/me/email', {
      token: user.accessToken,
      body: { new_email: newEmail.toUpperCase() },
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ status: 'accepted' });
    await t.drainJobs();

    const confirmation = await t.inbox!.waitFor(newEmail);
    expect(confirmation.subject).toBe('Confirma tu nuevo correo en Amira');
    expect(confirmation.text).toContain('Hola Marta:');
    const notice = await t.inbox!.waitFor(user.email, (m) =>
      m.subject.startsWith('Se pidió cambiar el correo'),
    );
    const [local] = newEmail.split('@');
    expect(notice.text).toContain(`${local![0]}•••${local!.slice(-1)}@example.com`);
    expect(notice.text).not.toContain(newEmail);

    // Nothing changes until the link is followed.
    expect(await emailOf(user.id)).toBe(user.email);
    const token = tokenFromMail(confirmation);
    const confirmed = await t.request('POST', '/v1/auth/confirm-email-change', { body: { token } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ email: newEmail });
    expect(await emailOf(user.id)).toBe(newEmail);
    const me = await t.request('GET', '/v1/users/me', { token: user.accessToken });
    expect(me.body).toMatchObject({ email: newEmail, email_verified: true });

    expect((await login(t, { email: newEmail, password: user.password })).status).toBe(200);
    expect((await login(t, user)).status).toBe(401);
    const reused = await t.request('POST', '/v1/auth/confirm-email-change', { body: { token } });
    expect(reused.status).toBe(400);
    expect(reused.body.type).toBe(problem('action-token-invalid'));
  });

  it('needs a recent re-authentication', async () => {
    const user = await registerUser(t);
    const refused = await t.request('POST', '/v1/users/me/email', {
      token: user.accessToken,
      body: { new_email: uniqueEmail() },
    });
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe(problem('reauthentication-required'));
    expect(
      (await t.request('POST', '/v1/users/me/email', { body: { new_email: uniqueEmail() } }))
        .status,
    ).toBe(401);
  });

  it("refuses another account's address, the same address and a malformed one, sending nothing", async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    await t.drainJobs();
    const before = t.inbox!.messages.length;
    await stepUp(t, user);
    const cases: [unknown, number, string | undefined][] = [
      [other.email, 409, 'email-taken'],
      [user.email, 409, 'email-unchanged'],
      ['not-an-email', 400, undefined],
      [42, 400, undefined],
    ];
    for (const [newEmail, status, code] of cases) {
      const response = await t.request('POST', '/v1/users/me/email', {
        token: user.accessToken,
        body: { new_email: newEmail },
      });
      expect(response.status, String(newEmail)).toBe(status);
      if (code) expect(response.body.type).toBe(problem(code));
    }
    await t.drainJobs();
    expect(t.inbox!.messages.length).toBe(before);
    expect(await emailOf(user.id)).toBe(user.email);
  });

  it('refuses the confirmation when the address was taken meanwhile, and expired links', async () => {
    const user = await registerUser(t);
    const wanted = uniqueEmail('wanted');
    await stepUp(t, user);
    await t.request('POST', '/v1/users/me/email', {
      token: user.accessToken,
      body: { new_email: wanted },
    });
    await t.drainJobs();
    const token = tokenFromMail(await t.inbox!.waitFor(wanted));
    await registerUser(t, { email: wanted });
    const taken = await t.request('POST', '/v1/auth/confirm-email-change', { body: { token } });
    expect(taken.status).toBe(409);
    expect(taken.body.type).toBe(problem('email-taken'));
    expect(await emailOf(user.id)).toBe(user.email);

    const later = uniqueEmail('later');
    await stepUp(t, user);
    await t.request('POST', '/v1/users/me/email', {
      token: user.accessToken,
      body: { new_email: later },
    });
    await t.drainJobs();
    const late = tokenFromMail(await t.inbox!.waitFor(later));
    t.clock.advance(25 * 60 * 60 * 1000);
    const expired = await t.request('POST', '/v1/auth/confirm-email-change', {
      body: { token: late },
    });
    expect(expired.status).toBe(400);
    expect(await emailOf(user.id)).toBe(user.email);
  });
});
