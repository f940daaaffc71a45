// Coming back during the grace period: an account scheduled for deletion signs in only
// when its owner confirms they want to keep it, and that cancels the deletion.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { login, registerUser, stepUp } from '../helpers/users.ts';
import { enrolTotp, nextCode } from '../helpers/mfa.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

const problem = (code: string) => `https://amirawellness.com/problems/${code}`;
const accountOf = async (id: string) =>
  (
    await rows<{ account_status: string; purge_after: Date | null }>(
      t,
      sql`select account_status, purge_after from users where id = ${id}`,
    )
  )[0];

async function scheduleDeletion(user: { password: string; accessToken: string }) {
  await stepUp(t, user);
  const response = await t.request('DELETE', '/v1/users/me', { token: user.accessToken });
  expect(response.status).toBe(202);
}

describe('restoring an account scheduled for deletion', () => {
  it('refuses a plain sign-in with a 409 that says how to keep the account', async () => {
    const user = await registerUser(t);
    await scheduleDeletion(user);
    const refused = await login(t, user);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe(problem('account-deletion-pending'));
    expect(refused.body.detail).toContain('restore_account');
    expect((await accountOf(user.id))!.account_status).toBe('pending_deletion');
    // A wrong password learns nothing about the account's state.
    const wrong = await login(t, { email: user.email, password: 'not-their-password-at-all' });
    expect(wrong.status).toBe(401);
  });

  it('signs in and cancels the deletion with restore_account: true', async () => {
    const user = await registerUser(t);
    await scheduleDeletion(user);
    const restored = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, restore_account: true },
    });
    expect(restored.status).toBe(200);
    expect(restored.body.user.account_status).toBe('active');
    expect(await accountOf(user.id)).toEqual({ account_status: 'active', purge_after: null });
    const [event] = await rows<{ type: string }>(
      t,
      sql`select type from security_events where user_id = ${user.id} and type = 'account_deletion_cancelled'`,
    );
    expect(event?.type).toBe('account_deletion_cancelled');
    // Signed in as usual from now on.
    expect((await login(t, user)).status).toBe(200);
  });

  it('with MFA on, restores only once the code is right', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    await scheduleDeletion(user);
    const challenged = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, restore_account: true },
    });
    expect(challenged.body.mfa_required).toBe(true);
    expect((await accountOf(user.id))!.account_status).toBe('pending_deletion');
    const done = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenged.body.mfa_token, code: await nextCode(t, user.secret) },
    });
    expect(done.status).toBe(200);
    expect((await accountOf(user.id))!.account_status).toBe('active');
  });

  it('lets someone who forgot their password reset it and then keep the account', async () => {
    const user = await registerUser(t);
    await scheduleDeletion(user);
    await t.drainJobs();
    expect(
      (await t.request('POST', '/v1/auth/reset-password', { body: { email: user.email } })).status,
    ).toBe(202);
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(user.email, (m) => /contraseña/.test(m.subject));
    const reset = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token: tokenFromMail(mail), new_password: 'a brand new evening walk' },
    });
    expect(reset.status).toBe(200);
    const restored = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: 'a brand new evening walk', restore_account: true },
    });
    expect(restored.status).toBe(200);
    expect((await accountOf(user.id))!.account_status).toBe('active');
  });

  it('refuses a restoring sign-in once the account was purged', async () => {
    const user = await registerUser(t);
    await scheduleDeletion(user);
    t.clock.advance(8 * 24 * 60 * 60 * 1000);
    await t.modules.users.deletion.purgeDue();
    const late = await t.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, restore_account: true },
    });
    expect(late.status).toBe(401);
    expect(await accountOf(user.id)).toBeUndefined();
  });
});
