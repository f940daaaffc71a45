// Bursts of concurrent requests against every failure budget and the storage quota. A
// budget is taken before the attempt is evaluated, so of N requests in flight at once
// exactly `budget` are tried and the rest answered 429; a right password or code arriving
// once the budget is spent gets 429 too, not a session. What was actually tried is counted
// (Argon2 verifications, audit events, challenge attempts, jobs), not only status codes.
// The budgets run on process memory and on Redis (what replicas share).
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type ApiResponse, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { login, registerUser, uniqueEmail, type TestUser } from '../helpers/users.ts';
import { enrolTotp, nextCode } from '../helpers/mfa.ts';
import { encrypt, metadataFor, objectsOf, upload } from '../helpers/journals.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BURST = 40;
const problem = (type: string) => `https://amirawellness.com/problems/${type}`;

/** How many responses had each status, e.g. { 401: 5, 429: 35 }. */
const statuses = (responses: ApiResponse[]) =>
  responses.reduce<Record<number, number>>((tally, r) => {
    tally[r.status] = (tally[r.status] ?? 0) + 1;
    return tally;
  }, {});

/** The answers' problem types, to tell what went wrong when the statuses do not match. */
const kinds = (responses: ApiResponse[]) =>
  [
    ...new Set(responses.map((r) => `${r.status} ${r.body?.type ?? ''} ${r.body?.detail ?? ''}`)),
  ].join('; ');

const burst = (n: number, request: (i: number) => Promise<ApiResponse>) =>
  Promise.all(Array.from({ length: n }, (_, i) => request(i)));

/** Argon2 verifications the app has run (password_hash_operations_total, as /metrics shows). */
async function verifications(t: TestApp): Promise<number> {
  const metric = await t.platform.metrics.getSingleMetric('password_hash_operations_total')?.get();
  return (metric?.values ?? [])
    .filter((v) => v.labels.operation === 'verify')
    .reduce((sum, v) => sum + v.value, 0);
}

/** Authenticator and recovery codes the app has compared (mfa_code_checks_total). */
async function codeChecks(t: TestApp): Promise<number> {
  const metric = await t.platform.metrics.getSingleMetric('mfa_code_checks_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

const events = (t: TestApp, type: string, where = sql`true`) =>
  count(t, 'security_events', sql`type = ${type} and ${where}`);

const jobs = async (t: TestApp, name: string, where = sql`true`) => {
  const [row] = await rows<{ n: number }>(
    t,
    sql`select count(*)::int as n from pgboss.job where name = ${name} and ${where}`,
  );
  return row?.n ?? 0;
};

let address = 0;
/** A client address of its own for each scenario (the budgets are per address). */
const freshIp = () => `203.0.113.${++address}`;

describe.each(['memory', 'redis'] as const)('failure budgets on %s', (backend) => {
  let t: TestApp;
  const prefix = `amira-test-${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    t = await createTestApp({
      env: backend === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {},
    });
  });
  afterAll(async () => {
    const redis = t.platform.redis;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    await t.close();
  });

  it(`login, per address and email: ${BURST} wrong passwords at once test 5, then the right one is 429`, async () => {
    const user = await registerUser(t);
    const ip = freshIp();
    const before = await verifications(t);
    const responses = await burst(BURST, (i) =>
      t.request('POST', '/v1/auth/login', {
        ip,
        body: { email: user.email, password: `wrong guess ${i}` },
      }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 401: 5, 429: BURST - 5 });
    if (backend === 'redis') {
      // Counted in Redis (shared by replicas), not in a replica's fallback memory.
      const counted = await t.platform.redis!.get(
        `${prefix}rl:login-fail-ip-email:${ip}|${user.email}`,
      );
      expect(Number(counted)).toBe(BURST);
    }
    expect(await events(t, 'login_failed', sql`user_id = ${user.id}`)).toBe(5);
    expect(await verifications(t)).toBe(before + 5);

    const sessions = await count(t, 'sessions', sql`user_id = ${user.id}`);
    const right = await t.request('POST', '/v1/auth/login', {
      ip,
      body: { email: user.email, password: user.password },
    });
    expect(right.status).toBe(429);
    expect(right.body.type).toBe(problem('rate-limited'));
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(await count(t, 'sessions', sql`user_id = ${user.id}`)).toBe(sessions);
    // The budget is the pair's: the owner signs in from another address.
    const elsewhere = await t.request('POST', '/v1/auth/login', {
      ip: freshIp(),
      body: { email: user.email, password: user.password },
    });
    expect(elsewhere.status).toBe(200);
  });

  it(`login, per address: ${BURST} unknown emails at once test 30, then a right password from there is 429`, async () => {
    const user = await registerUser(t);
    const ip = freshIp();
    const before = await verifications(t);
    const responses = await burst(BURST, () =>
      t.request('POST', '/v1/auth/login', {
        ip,
        body: { email: uniqueEmail('spray'), password: 'some guess here' },
      }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 401: 30, 429: BURST - 30 });
    expect(await events(t, 'login_failed', sql`ip = ${ip}`)).toBe(30);
    expect(await verifications(t)).toBe(before + 30);
    const right = await t.request('POST', '/v1/auth/login', {
      ip,
      body: { email: user.email, password: user.password },
    });
    expect(right.status).toBe(429);
  });

  it(`re-authentication: ${BURST} wrong passwords at once test 5, then the right one is 429`, async () => {
    const user = await registerUser(t);
    const before = await verifications(t);
    const responses = await burst(BURST, (i) =>
      t.request('POST', '/v1/auth/reauthenticate', {
        token: user.accessToken,
        body: { password: `wrong guess ${i}` },
      }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 403: 5, 429: BURST - 5 });
    expect(await verifications(t)).toBe(before + 5);
    expect(await events(t, 'password_check_failed', sql`user_id = ${user.id}`)).toBe(5);
    const right = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(right.status).toBe(429);
    const [session] = await rows<{ at: Date | null }>(
      t,
      sql`select reauthenticated_at as at from sessions where user_id = ${user.id}`,
    );
    expect(session?.at).toBeNull();
  });

  it(`authenticator codes, per user: ${BURST} wrong codes at once test 5, then the right one is 429`, async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const before = await codeChecks(t);
    const responses = await burst(BURST, (i) =>
      t.request('POST', '/v1/auth/reauthenticate', {
        token: user.accessToken,
        body: { code: String(100000 + i) },
      }),
    );
    // A random six-digit guess is right with probability 3/10^6 (one step of drift each way).
    expect(statuses(responses), kinds(responses)).toEqual({ 403: 5, 429: BURST - 5 });
    expect(await codeChecks(t)).toBe(before + 5);
    expect(await events(t, 'mfa_code_failed', sql`user_id = ${user.id}`)).toBe(5);
    const right = await t.request('POST', '/v1/auth/reauthenticate', {
      token: user.accessToken,
      body: { code: await nextCode(t, user.secret) },
    });
    expect(right.status).toBe(429);
  });

  it(`a sign-in challenge: ${BURST} codes at once test only the tries it has left`, async () => {
    const user = await enrolTotp(t, await registerUser(t));
    const challenge = (await login(t, user)).body.mfa_token as string;
    // Two tries already spent on this challenge (not on the user's budget, which has 5):
    // what stops the burst at three is the challenge's own count.
    await t.platform.db.asSystem((tx) =>
      tx.execute(sql`update mfa_challenges set attempts = 2 where user_id = ${user.id}`),
    );
    const before = await codeChecks(t);
    const responses = await burst(BURST, (i) =>
      t.request('POST', '/v1/auth/login/mfa', {
        body: { mfa_token: challenge, code: String(200000 + i) },
      }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 403: 3, 401: BURST - 3 });
    expect(
      responses
        .filter((r) => r.status === 401)
        .every((r) => r.body.type === problem('mfa-challenge-invalid')),
    ).toBe(true);
    expect(await codeChecks(t)).toBe(before + 3);
    expect(await events(t, 'mfa_code_failed', sql`user_id = ${user.id}`)).toBe(3);
    const [row] = await rows<{ attempts: number }>(
      t,
      sql`select attempts from mfa_challenges where user_id = ${user.id}`,
    );
    expect(row?.attempts).toBe(5);
    const right = await t.request('POST', '/v1/auth/login/mfa', {
      body: { mfa_token: challenge, code: await nextCode(t, user.secret) },
    });
    expect(right.status).toBe(401);
    expect(right.body.type).toBe(problem('mfa-challenge-invalid'));
    // The user's budget still has two tries, and a right code costs none of them.
    for (let i = 0; i < 3; i++) {
      const fresh = (await login(t, user)).body.mfa_token as string;
      const signedIn = await t.request('POST', '/v1/auth/login/mfa', {
        body: { mfa_token: fresh, code: await nextCode(t, user.secret) },
      });
      expect(signedIn.status).toBe(200);
    }
  });

  it(`password reset, per email: ${BURST} requests at once from different addresses queue 3`, async () => {
    const user = await registerUser(t);
    const before = await jobs(t, 'auth.password-reset-request');
    const responses = await burst(BURST, () =>
      t.request('POST', '/v1/auth/reset-password', { ip: freshIp(), body: { email: user.email } }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 202: 3, 429: BURST - 3 });
    expect(await jobs(t, 'auth.password-reset-request')).toBe(before + 3);
    await t.drainJobs();
    expect(
      await count(t, 'action_tokens', sql`user_id = ${user.id} and purpose = 'reset_password'`),
    ).toBe(3);
  });

  it(`password reset, per address: ${BURST} requests at once for different emails queue 10`, async () => {
    const ip = freshIp();
    const before = await jobs(t, 'auth.password-reset-request');
    const responses = await burst(BURST, () =>
      t.request('POST', '/v1/auth/reset-password', { ip, body: { email: uniqueEmail('nobody') } }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 202: 10, 429: BURST - 10 });
    expect(await jobs(t, 'auth.password-reset-request')).toBe(before + 10);
  });

  it(`verification resends: ${BURST} at once send 3`, async () => {
    const user = await registerUser(t);
    const mine = sql`data->>'user_id' = ${user.id} and data->>'kind' = 'verify_email'`;
    expect(await jobs(t, 'auth.send-email', mine)).toBe(1); // the registration's
    const responses = await burst(BURST, () =>
      t.request('POST', '/v1/auth/verify-email/resend', { token: user.accessToken }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 202: 3, 429: BURST - 3 });
    expect(await jobs(t, 'auth.send-email', mine)).toBe(4);
  });
});

describe('the storage quota under a burst of uploads', () => {
  const QUOTA = 1024 * 1024;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JOURNAL_QUOTA_BYTES: String(QUOTA) } });
  });
  afterAll(() => t.close());

  const reservations = (user: TestUser) =>
    count(t, 'journal_upload_reservations', sql`user_id = ${user.id}`);

  it('takes exactly one of ten concurrent 900 KB uploads against a 1 MiB quota', async () => {
    const user = await registerUser(t);
    const recordings = Array.from({ length: 10 }, () => encrypt(randomBytes(900 * 1024)));
    const responses = await Promise.all(
      recordings.map((r) => upload(t, user.accessToken, metadataFor(r), r.ciphertext)),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 201: 1, 413: 9 });
    for (const refused of responses.filter((r) => r.status === 413)) {
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.type).toBe(problem('storage-quota-exceeded'));
    }
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(1);
    expect(await objectsOf(t, user.id)).toHaveLength(1);
    const [stored] = await rows<{ bytes: number }>(
      t,
      sql`select sum(file_size)::int as bytes from audio_metadata where user_id = ${user.id}`,
    );
    expect(stored?.bytes).toBe(900 * 1024 + 16); // the ciphertext and its GCM tag
    expect(await reservations(user)).toBe(0);
  });

  it('gives the room of a failed upload back: the next one fits', async () => {
    const user = await registerUser(t);
    const damaged = encrypt(randomBytes(900 * 1024));
    const failed = await upload(
      t,
      user.accessToken,
      metadataFor({ iv: damaged.iv, checksum: 'ab'.repeat(32) }),
      damaged.ciphertext,
    );
    expect(failed.status).toBe(422);
    expect(failed.body.type).toBe(problem('checksum-mismatch'));
    expect(await reservations(user)).toBe(0);
    const next = encrypt(randomBytes(900 * 1024));
    const stored = await upload(t, user.accessToken, metadataFor(next), next.ciphertext);
    expect(stored.status).toBe(201);
    expect(await reservations(user)).toBe(0);
  });

  it('leaves another user’s quota alone', async () => {
    const [a, b] = [await registerUser(t), await registerUser(t)];
    const recordings = [a, b, a, b].map(() => encrypt(randomBytes(900 * 1024)));
    const responses = await Promise.all(
      recordings.map((r, i) =>
        upload(t, (i % 2 === 0 ? a : b).accessToken, metadataFor(r), r.ciphertext),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 201, 413, 413]);
    expect(await count(t, 'journals', sql`user_id = ${a.id}`)).toBe(1);
    expect(await count(t, 'journals', sql`user_id = ${b.id}`)).toBe(1);
  });
});

describe('ids chosen on the device under a burst (the unique rule of E2E text)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it(`a check-in: ${BURST} creates with the same id and time store one; the others are 409, none a 500`, async () => {
    const user = await registerUser(t);
    const id = randomUUID();
    const body = {
      id,
      emotion_type_id: 3,
      intensity: 5,
      context: 'standalone',
      notes: Buffer.from([1, ...randomBytes(60)]).toString('base64'),
      created_at: new Date(t.clock.now().getTime() - 60_000).toISOString(),
    };
    const responses = await burst(BURST, () =>
      t.request('POST', '/v1/emotions', { token: user.accessToken, body }),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 201: 1, 409: BURST - 1 });
    for (const refused of responses.filter((r) => r.status === 409))
      expect(refused.body.type).toBe(problem('id-taken'));
    expect(await count(t, 'checkins', sql`id = ${id}`)).toBe(1);
    // One check-in, one activity: the refused ones left nothing behind.
    expect(await count(t, 'user_activities', sql`related_entity_id = ${id}`)).toBe(1);
  });

  it('a journal: ten uploads with the same id store one recording and one object; the others are 409', async () => {
    const user = await registerUser(t);
    const id = randomUUID();
    const recordings = Array.from({ length: 10 }, () => encrypt(randomBytes(20_000)));
    const responses = await Promise.all(
      recordings.map((r) => upload(t, user.accessToken, metadataFor(r, { id }), r.ciphertext)),
    );
    expect(statuses(responses), kinds(responses)).toEqual({ 201: 1, 409: 9 });
    for (const refused of responses.filter((r) => r.status === 409))
      expect(refused.body.type).toBe(problem('id-taken'));
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(1);
    expect(await objectsOf(t, user.id)).toHaveLength(1);
    expect(await count(t, 'journal_upload_reservations', sql`user_id = ${user.id}`)).toBe(0);
  });
});
