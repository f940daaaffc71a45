// Two-step sign-in with an authenticator app: enrolment, sign-in with a code, recovery
// codes (single use), re-authentication with a code, turning it off, and the limits on
// wrong codes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { login, registerUser, stepUp } from '../helpers/users.ts';
import { codeNow, enrolTotp, nextCode } from '../helpers/mfa.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const problem = (code: string) => `https://amirawellness.com/problems/${code}`;

describe('TOTP enrolment', () => {
  it('gives a secret and an otpauth URI, turns MFA on only after a right first code, and returns ten recovery codes', async () => {
    const user = await registerUser(t);
    await stepUp(t, user);
    const started = await t.request('POST', '/v1/auth/mfa/totp', { token: user.accessToken });
    expect(started.status).toBe(201);
    const secret = started.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{26,}$/);
    expect(started.body.otpauth_uri).toBe(
      `otpauth://totp/Amira%20Wellness:${encodeURIComponent(user.email)}?secret=${secret}&issuer=Amira%20Wellness`,
    );

    const wrong = await t.request('POST', '/v1/auth/mfa/totp/confirm', {
      token: user.accessToken,
      body: { code: (Number(await codeNow(t, secret)) + 1).toString().padStart(6, '0').slice(-6) },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe(problem('mfa-code-incorrect'));
    const off = await t.request('GET', '/v1/auth/mfa', { token: user.accessToken });
    expect(off.body).toEqual({ enabled: false, enabled_at: null, recovery_codes_left: 0 });

    const confirmed = await t.request('POST', '/v1/auth/mfa/totp/confirm', {
      token: user.accessToken,
      body: { code: await codeNow(t, secret) },
    });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}$/);
    const on = await t.request('GET', '/v1/auth/mfa', { token: user.accessToken });
    expect(on.body).toEqual({
      enabled: true,
      enabled_at: t.clock.now().toISOString(),
      recovery_codes_left: 10,
    });
    expect(
      (await t.request('GET', '/v1/users/me', { token: user.accessToken })).body.mfa_enabled,
    ).toBe(true);

    // Neither the secret nor a recovery code is readable in the database.
    const [stored] = await rows<{ secret_sealed: string }>(
      t,
      sql`select secret_sealed from mfa_totp where user_id = ${user.id}`,
    );
    expect(stored!.secret_sealed).not.toContain(secret);
    const dump = JSON.stringify(
      await rows(t, sql`select * from mfa_recovery_codes where user_id = ${user.id}`),
    );
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }

    // A second enrolment cannot replace the working authenticator.
    await stepUp(t, user);
    const again = await t.request('POST', '/v1/auth/mfa/totp', { token: user.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe(problem('mfa-already-enabled'));
  });

  it('refuses confirming without an enrolment started, bad codes and no token', async () => {
    const user = await registerUser(t);
    const none = await t.request('POST', '/v1/auth/mfa/totp/confirm', {
      token: user.accessToken,
      body: { code: '123456' },
    });
    expect(none.status).toBe(409);
    expect(none.body.type).toBe(problem('mfa-not-enrolling'));
    for (const code of ['12345', 'abcdef', '1234567', 123456]) {
      const bad = await t.request('POST', '/v1/auth/mfa/totp/confirm', {
        token: user.accessToken,
        body: { code },
      });
      expect(bad.status, String(code)).toBe(400);
    }
    expect(
      (await t.request('POST', '/v1/auth/mfa/totp/confirm', { body: { code: '123456' } })).status,
    ).toBe(401);
    expect((await t.request('GET', '/v1/auth/mfa')).status).toBe(401);
    const [row] = await rows<{ n: number }>(
      t,
      sql`select count(*)::int as n from mfa_totp where user_id = ${user.id}`,
    );
    expect(row!.n).toBe(0);
  });
});

describe('signing in with MFA on', () => {
  it('answers a challenge instead of tokens; the code completes the sign-in once', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const first = await login(t, user);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      mfa_required: true,
      mfa_token: expect.any(String),
      expires_in: 300,
    });
    expect(first.body.access_token).toBeUndefined();

    const code = await nextCode(t, user.secret);
    const second = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: first.body.mfa_token, code },
    });
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(user.id);
    expect(
      (await t.request('GET', '/v1/users/me', { token: second.body.access_token })).status,
    ).toBe(200);

    // The challenge is used up, and the same code does not work twice (replay).
    const reused = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: first.body.mfa_token, code },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.type).toBe(problem('mfa-challenge-invalid'));
    const another = await login(t, user);
    const replay = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: another.body.mfa_token, code },
    });
    expect(replay.status).toBe(403);
    expect(replay.body.type).toBe(problem('mfa-code-incorrect'));
  });

  it('accepts each recovery code once', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const [recovery] = user.recoveryCodes;
    const challenge = (await login(t, user)).body.mfa_token as string;
    const used = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, recovery_code: recovery!.toUpperCase() },
    });
    expect(used.status).toBe(200);
    const status = await t.request('GET', '/v1/auth/mfa', { token: used.body.access_token });
    expect(status.body.recovery_codes_left).toBe(9);

    const again = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: (await login(t, user)).body.mfa_token, recovery_code: recovery },
    });
    expect(again.status).toBe(403);
    expect(again.body.type).toBe(problem('mfa-code-incorrect'));

    const [event] = await rows<{ type: string }>(
      t,
      sql`select type from security_events where user_id = ${user.id} and type = 'mfa_recovery_code_used'`,
    );
    expect(event?.type).toBe('mfa_recovery_code_used');
  });

  it('refuses a challenge that expired, bodies with both or neither proof, and made-up tokens', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const challenge = (await login(t, user)).body.mfa_token as string;
    const both = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, code: '123456', recovery_code: user.recoveryCodes[0] },
    });
    expect(both.status).toBe(400);
    const neither = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge },
    });
    expect(neither.status).toBe(400);
    const madeUp = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: 'x'.repeat(43), code: await codeNow(t, user.secret) },
    });
    expect(madeUp.status).toBe(401);
    t.clock.advance(301_000);
    const late = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, code: await codeNow(t, user.secret) },
    });
    expect(late.status).toBe(401);
    expect(late.body.type).toBe(problem('mfa-challenge-invalid'));
  });

  it('limits wrong codes: five per user per 15 minutes, then 429 even for the right code', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A fresh challenge each time: the limit is the user's, not the challenge's.
      const challenge = (await login(t, user)).body.mfa_token as string;
      const wrong = await t.request('POST', '/v1/auth/login/mfa', {
        body: { mfa_token: challenge, code: '000000' },
      });
      statuses.push(wrong.status);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    const challenge = (await login(t, user)).body.mfa_token as string;
    const blocked = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, code: await nextCode(t, user.secret) },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // The budget is this user's: someone else signs in as usual.
    const other = await enrolTotp(t, await registerUser(t));
    const fine = await t.request('POST', '/v1/auth/login/mfa', {
      body: {
        mfa_token: (await login(t, other)).body.mfa_token,
        code: await nextCode(t, other.secret),
      },
    });
    expect(fine.status).toBe(200);
  });

  it('gives up a challenge after five wrong tries', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const challenge = (await login(t, user)).body.mfa_token as string;
    for (let i = 0; i < 5; i++) {
      await t.request('POST', '/v1/auth/login/mfa', {
        body: { mfa_token: challenge, recovery_code: `wrong-code-${i}0` },
      });
    }
    const spent = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, code: await codeNow(t, user.secret) },
    });
    expect(spent.status).toBe(401);
    expect(spent.body.type).toBe(problem('mfa-challenge-invalid'));
  });
});

describe('re-authentication and turning MFA off', () => {
  it('re-authenticates with a code; turning MFA off needs that step-up; sign-in is then one step again', async () => {
    const user = await enrolTotp(t, await registerUser(t));
    t.clock.advance(301_000); // the enrolment's step-up has worn off
    const refused = await t.request('DELETE', '/v1/auth/mfa/totp', { token: user.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe(problem('reauthentication-required'));

    const wrong = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { code: '000000' },
    });
    expect(wrong.status).toBe(403);
    const right = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { code: await nextCode(t, user.secret) },
    });
    expect(right.status).toBe(200);

    const regenerated = await t.request('POST', '/v1/auth/mfa/recovery-codes', {
      token: user.accessToken,
    });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recovery_codes).toHaveLength(10);
    expect(regenerated.body.recovery_codes).not.toContain(user.recoveryCodes[0]);

    const off = await t.request('DELETE', '/v1/auth/mfa/totp', { token: user.accessToken });
    expect(off.status).toBe(204);
    const status = await t.request('GET', '/v1/auth/mfa', { token: user.accessToken });
    expect(status.body).toEqual({ enabled: false, enabled_at: null, recovery_codes_left: 0 });
    const plain = await login(t, user);
    expect(plain.body.access_token).toEqual(expect.any(String));
    const twice = await t.request('DELETE', '/v1/auth/mfa/totp', { token: user.accessToken });
    expect(twice.status).toBe(409);

    const types = (
      await rows<{ type: string }>(
        t,
        sql`select type from security_events where user_id = ${user.id} order by created_at, type`,
      )
    ).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'mfa_enabled',
        'reauthenticated',
        'mfa_recovery_codes_regenerated',
        'mfa_disabled',
      ]),
    );
  });

  it('refuses a re-authentication with both or neither proof, and a wrong password', async () => {
    const user = await registerUser(t);
    for (const body of [{}, { password: user.password, code: '123456' }]) {
      const response = await t.request('POST', '/v1/auth/reauthenticate', {
        token: user.accessToken,
        body,
      });
      expect(response.status).toBe(400);
    }
    const wrong = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { password: 'not-the-password-at-all' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe(problem('password-incorrect'));
    const noMfa = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { code: '123456' },
    });
    expect(noMfa.status).toBe(409);
    expect(noMfa.body.type).toBe(problem('mfa-not-enabled'));
    expect(
      (await t.request('POST', '/v1/auth/reauthenticate', { body: { password: 'x' } })).status,
    ).toBe(401);
    const [session] = await rows<{ at: Date | null }>(
      t,
      sql`select reauthenticated_at as at from sessions where user_id = ${user.id}`,
    );
    expect(session!.at).toBeNull();
  });
});
