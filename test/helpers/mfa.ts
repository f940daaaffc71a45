// Two-step sign-in for tests: enrol an authenticator the way the app does, and make the
// codes an authenticator app would show at the test clock's time.
import { totpCode } from '../../src/modules/auth/mfa/totp.ts';
import type { TestApp } from './app.ts';
import { stepUp, type TestUser } from './users.ts';

export interface EnrolledUser extends TestUser {
  secret: string;
  recoveryCodes: string[];
}

/** The code for the test clock's current time step. */
export const codeNow = (t: TestApp, secret: string): Promise<string> =>
  totpCode(secret, t.clock.now());

/** The next time step's code: a code works once, so each use moves the clock 30 s on. */
export async function nextCode(t: TestApp, secret: string): Promise<string> {
  t.clock.advance(30_000);
  return codeNow(t, secret);
}

export async function enrolTotp(t: TestApp, user: TestUser): Promise<EnrolledUser> {
  await stepUp(t, user);
  const started = await t.request('POST', '/v1/auth/mfa/totp', { token: user.accessToken });
  if (started.status !== 201) throw new Error(`enrol failed: ${started.status} ${started.raw}`);
  const secret = started.body.secret as string;
  const confirmed = await t.request('POST', '/v1/auth/mfa/totp/confirm', {
    token: user.accessToken,
    body: { code: await codeNow(t, secret) },
  });
  if (confirmed.status !== 200)
    throw new Error(`confirm failed: ${confirmed.status} ${confirmed.raw}`);
  return { ...user, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
}
