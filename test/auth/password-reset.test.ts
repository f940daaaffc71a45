import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { login, registerUser, uniqueEmail, type TestUser } from '../helpers/users.ts';
import { tokenFromMail } from '../helpers/smtp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ smtp: true });
});
afterAll(() => t.close());

async function resetToken(user: TestUser): Promise<string> {
  const before = t.inbox!.messages.length;
  const response = await t.request('POST', '/v1/auth/reset-password', {
    body: { email: user.email },
  });
  expect(response.status).toBe(202);
  await t.drainJobs();
  const mail = await t.inbox!.waitFor(
    user.email,
    (m) => /contraseña|password/.test(m.subject) && t.inbox!.messages.indexOf(m) >= before,
  );
  return tokenFromMail(mail);
}

/** Rows in every table of the public schema, and queued jobs by name: what a request wrote. */
async function snapshot(): Promise<Map<string, number>> {
  const tables = await rows<{ name: string }>(
    t,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const counts = new Map<string, number>();
  for (const { name } of tables) counts.set(name, await count(t, name));
  const jobs = await rows<{ name: string; n: number }>(
    t,
    sql`select name, count(*)::int as n from pgboss.job group by name`,
  );
  for (const job of jobs) counts.set(`job:${job.name}`, job.n);
  return counts;
}

function changes(before: Map<string, number>, after: Map<string, number>) {
  return Object.fromEntries(
    [...new Set([...before.keys(), ...after.keys()])].flatMap((key) => {
      const delta = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      return delta === 0 ? [] : [[key, delta]];
    }),
  );
}

describe('password reset request: the same work for every email', () => {
  it('writes one sealed job and nothing else, known email or not; only the known one gets mail', async () => {
    const user = await registerUser(t, { language_preference: 'en' });
    await t.drainJobs();
    const unknown = uniqueEmail('nobody');
    const request = async (email: string, ip: string) => {
      const before = await snapshot();
      const response = await t.request('POST', '/v1/auth/reset-password', {
        ip,
        headers: { 'user-agent': 'ResetTest/1.0' },
        body: { email },
      });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ status: 'accepted' });
      return changes(before, await snapshot());
    };
    const sameWork = { 'job:auth.password-reset-request': 1 };
    expect(await request(user.email, '192.0.2.77')).toEqual(sameWork);
    expect(await request(unknown, '192.0.2.78')).toEqual(sameWork);

    // The job table holds neither address, nor the request's IP, in any readable form.
    const payloads = await rows<{ data: string }>(
      t,
      sql`select data::text as data from pgboss.job where name = 'auth.password-reset-request'`,
    );
    for (const secret of [user.email, unknown, user.email.split('@')[0]!, '192.0.2.77']) {
      expect(payloads.some((p) => p.data.includes(secret))).toBe(false);
    }

    const requestedAt = t.clock.now().toISOString();
    const sent = t.inbox!.messages.length;
    t.clock.advance(5_000); // the job runs a little later; the audit keeps the request's time
    await t.drainJobs();
    const mail = await t.inbox!.waitFor(user.email, (m) => t.inbox!.messages.indexOf(m) >= sent);
    expect(mail.subject).toMatch(/password/i);
    expect(t.inbox!.messages.filter((m) => m.to.includes(unknown))).toEqual([]);
    const [event] = await rows<{ ip: string; user_agent: string; at_request: boolean }>(
      t,
      sql`select ip, user_agent, created_at = ${requestedAt}::timestamptz as at_request
          from security_events where user_id = ${user.id} and type = 'password_reset_requested'`,
    );
    expect(event).toEqual({ ip: '192.0.2.77', user_agent: 'ResetTest/1.0', at_request: true });
    // Neither address appears in any log line (the job logs nothing about whom it served).
    expect(t.logs.filter((line) => line.includes(user.email) || line.includes(unknown))).toEqual(
      [],
    );
  });

  it('queues nothing for a locked account', async () => {
    const user = await registerUser(t);
    await t.drainJobs();
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`update users set account_status = 'locked' where id = ${user.id}`),
    );
    const sent = t.inbox!.messages.length;
    expect(
      (await t.request('POST', '/v1/auth/reset-password', { body: { email: user.email } })).status,
    ).toBe(202);
    await t.drainJobs();
    expect(t.inbox!.messages.length).toBe(sent);
    expect(
      await count(
        t,
        'security_events',
        sql`user_id = ${user.id} and type = 'password_reset_requested'`,
      ),
    ).toBe(0);
  });
});

describe('password reset', () => {
  it('answers 202 for an unknown email too, and sends nothing', async () => {
    const sent = t.inbox!.messages.length;
    const response = await t.request('POST', '/v1/auth/reset-password', {
      body: { email: uniqueEmail('nobody') },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: 'accepted' });
    await t.drainJobs();
    expect(t.inbox!.messages.length).toBe(sent);
  });

  it('sets a new password with the emailed token, ends every session, and the token works once', async () => {
    const user = await registerUser(t);
    const token = await resetToken(user);
    const confirm = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token, new_password: 'a brand new sunrise' },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toEqual({
      status: 'password_reset',
      encrypted_data: 'unreadable_without_recovery',
      sessions_revoked: 1,
    });
    expect((await t.request('GET', '/v1/users/me', { token: user.accessToken })).status).toBe(401);
    expect((await login(t, user)).status).toBe(401);
    expect((await login(t, { email: user.email, password: 'a brand new sunrise' })).status).toBe(
      200,
    );
    const again = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token, new_password: 'another one entirely' },
    });
    expect(again.status).toBe(400);
    expect(again.body.type).toBe('https://amirawellness.com/problems/action-token-invalid');
  });

  it('keeps encrypted data readable when the client re-wraps the data key, and keeps the old envelope otherwise', async () => {
    const email = uniqueEmail();
    const registered = await t.request('POST', '/v1/auth/register', {
      body: {
        email,
        password: 'old password here',
        language_preference: 'en',
        time_zone: 'UTC',
        key_envelope: 'b2xkLWVudmVsb3Bl',
      },
    });
    const user = {
      id: registered.body.user.id,
      email,
      password: 'old password here',
      accessToken: '',
      refreshToken: '',
    };
    const withEnvelope = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: {
        token: await resetToken(user),
        new_password: 'second password',
        key_envelope: 'bmV3LWVudmVsb3Bl',
      },
    });
    expect(withEnvelope.body.encrypted_data).toBe('readable');
    const session = await login(t, { email, password: 'second password' });
    let envelopes = (
      await t.request('GET', '/v1/users/me/key-envelopes', { token: session.body.access_token })
    ).body.items;
    expect(
      envelopes.map((e: { label: string; envelope: string }) => [e.label, e.envelope]),
    ).toEqual([['password', 'bmV3LWVudmVsb3Bl']]);

    await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token: await resetToken(user), new_password: 'third password!' },
    });
    const third = await login(t, { email, password: 'third password!' });
    envelopes = (
      await t.request('GET', '/v1/users/me/key-envelopes', { token: third.body.access_token })
    ).body.items;
    expect(
      envelopes.map((e: { label: string; envelope: string }) => [e.label, e.envelope]),
    ).toEqual([['password_previous', 'bmV3LWVudmVsb3Bl']]);
  });

  it('refuses a token older than one hour', async () => {
    const user = await registerUser(t);
    const token = await resetToken(user);
    t.clock.advance(61 * 60 * 1000);
    const response = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token, new_password: 'too late for this' },
    });
    expect(response.status).toBe(400);
    expect((await login(t, user)).status).toBe(200);
  });

  it('refuses a weak new password (422) without using up the token', async () => {
    const user = await registerUser(t);
    const token = await resetToken(user);
    const weak = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token, new_password: 'qwerty123' },
    });
    expect(weak.status).toBe(422);
    const ok = await t.request('POST', '/v1/auth/reset-password-confirm', {
      body: { token, new_password: 'strong and calm' },
    });
    expect(ok.status).toBe(200);
  });

  it('stores only the hash of the token', async () => {
    const user = await registerUser(t);
    const token = await resetToken(user);
    const stored = await rows<{ token_hash: Buffer }>(
      t,
      sql`select token_hash from action_tokens where user_id = ${user.id} and purpose = 'reset_password'`,
    );
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored)
      expect(Buffer.from(row.token_hash).toString('base64url')).not.toBe(token);
  });

  it('limits requests per email (3 an hour)', async () => {
    const user = await registerUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await t.request('POST', '/v1/auth/reset-password', {
            ip: `192.0.2.${i + 10}`,
            body: { email: user.email },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
  });

  it('rejects malformed input (400)', async () => {
    expect(
      (await t.request('POST', '/v1/auth/reset-password', { body: { email: 'x' } })).status,
    ).toBe(400);
    expect(
      (
        await t.request('POST', '/v1/auth/reset-password-confirm', {
          body: { token: 'short', new_password: 'whatever it is' },
        })
      ).status,
    ).toBe(400);
  });
});
