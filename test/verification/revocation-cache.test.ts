// A revoked session stays refused whatever happens to the cache in front of the database:
// Redis flushed, restarted empty or its key evicted, with two replicas sharing it; and the
// embedded mode's process memory after a restart. PostgreSQL (sessions.revoked_at) is the
// source of truth; the cache only makes the check cheap.
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { login, registerUser, type TestUser } from '../helpers/users.ts';
import { privateRedis, type PrivateRedis } from '../helpers/private-services.ts';

const PREFIX = 'amira-revocations:';
const KEY = `${PREFIX}set:revoked-sessions`;

const me = (t: TestApp, token: string) => t.request('GET', '/v1/users/me', { token });

async function twoSessions(t: TestApp, user: TestUser) {
  const second = await login(t, user);
  expect(second.status, second.raw).toBe(200);
  return { revoked: user.accessToken, kept: second.body.access_token as string };
}

/** Every replica refuses the revoked token as revoked and accepts the other one. */
async function expectRevocationHeld(
  replicas: TestApp[],
  tokens: { revoked: string; kept: string },
) {
  for (const t of replicas) {
    const refused = await me(t, tokens.revoked);
    expect(refused.status).toBe(401);
    expect(refused.body.type).toMatch(/session-revoked$/);
    expect((await me(t, tokens.kept)).status).toBe(200);
  }
}

describe('revocations with Redis losing its data, two replicas', () => {
  let redis: PrivateRedis;
  let client: Redis;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    redis = await privateRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => {}); // it is restarted on purpose below
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX };
    a = await createTestApp({ env });
    b = await createTestApp({ env, replicaOf: a });
  });
  afterAll(async () => {
    client.disconnect();
    await b.close();
    await a.close();
    await redis.stop();
  });

  it('refuses a logged-out session after FLUSHALL, and restores the cache from the database', async () => {
    const user = await registerUser(a);
    const tokens = await twoSessions(a, user);
    expect((await a.request('POST', '/v1/auth/logout', { token: tokens.revoked })).status).toBe(
      204,
    );
    await expectRevocationHeld([a, b], tokens);

    await client.flushall();
    expect(await client.exists(KEY)).toBe(0);
    await expectRevocationHeld([b, a], tokens);
    // The first check after the loss put the set back, whole, from sessions.revoked_at.
    const sessionId = await revokedSessionOf(a, user);
    const [whole, member] = await client.zmscore(KEY, '~whole', sessionId);
    expect(whole).toBe('inf');
    expect(Number(member)).toBeGreaterThan(a.clock.now().getTime());
  });

  it('refuses it after Redis restarts empty and after the key is evicted', async () => {
    const user = await registerUser(b);
    const tokens = await twoSessions(b, user);
    // Ended from another session on one replica ("sign out my other devices").
    const changed = await b.request('POST', '/v1/auth/sessions/revoke-others', {
      token: tokens.kept,
    });
    expect(changed.status, changed.raw).toBe(200);
    expect(changed.body.revoked).toBe(1);
    await expectRevocationHeld([a, b], tokens);

    await redis.stop();
    await redis.start();
    await waitFor(async () => (await me(a, tokens.kept)).status === 200, {
      what: 'Redis back',
    });
    await expectRevocationHeld([a, b], tokens);

    // An eviction removes the whole key (the set and its completeness mark together).
    await client.del(KEY);
    await expectRevocationHeld([b, a], tokens);
  });
});

describe('revocations in process memory (embedded mode), across a restart', () => {
  it('refuses a session revoked before the process restarted', async () => {
    const first = await createTestApp();
    const user = await registerUser(first);
    const tokens = await twoSessions(first, user);
    expect((await first.request('POST', '/v1/auth/logout', { token: tokens.revoked })).status).toBe(
      204,
    );
    // A new process on the same database: its memory holds no revocation at all.
    const restarted = await createTestApp({ replicaOf: first });
    try {
      await expectRevocationHeld([restarted, first], tokens);
    } finally {
      await restarted.close();
      await first.close();
    }
  });
});

async function revokedSessionOf(t: TestApp, user: TestUser): Promise<string> {
  const found = await rows<{ id: string }>(
    t,
    sql`select id from sessions where user_id = ${user.id} and revoked_at is not null`,
  );
  expect(found).toHaveLength(1);
  return found[0]!.id;
}
