// Login must not tell whether an email has an account by how long it takes: an unknown
// email is verified against a dummy Argon2id hash with the same parameters. Proven by the
// work done, not by a stopwatch (a wall-clock comparison failed once in a while by chance):
// each attempt runs exactly one Argon2 verification at the same cost, writes the same
// audit row and gets the same answer. The timing itself is measured by
// `npm run bench:auth-timing` (bench/auth-timing.ts).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser, uniqueEmail, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

/** password_hash_operations_total by `operation cost`, as the metrics endpoint exposes it. */
async function hashOperations(): Promise<Map<string, number>> {
  const exposition = await t.platform.metrics.metrics();
  const found = new Map<string, number>();
  const line = /^password_hash_operations_total\{operation="(\w+)",cost="([^"]+)"\} (\d+)$/gm;
  for (const [, operation, cost, value] of exposition.matchAll(line))
    found.set(`${operation} ${cost}`, Number(value));
  return found;
}

/** What one request changed in the counters: `operation cost` → how many more. */
async function operationsOf(request: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await hashOperations();
  await request();
  const after = await hashOperations();
  return Object.fromEntries(
    [...after].flatMap(([key, n]) =>
      n === (before.get(key) ?? 0) ? [] : [[key, n - (before.get(key) ?? 0)]],
    ),
  );
}

const COST = 'argon2id m=19456,t=2,p=1'; // the configured parameters (README defaults)
let address = 0;

async function wrongLogin(email: string) {
  const response = await t.request('POST', '/v1/auth/login', {
    // A new address each time: the failure budgets are not what is compared here.
    ip: `192.0.2.${++address}`,
    body: { email, password: 'not the right password' },
  });
  expect(response.status).toBe(401);
  return response;
}

describe('login work', () => {
  it('is one Argon2 verification at the same cost for a known and an unknown email', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await operationsOf(() => wrongLogin(user.email))).toEqual({ [`verify ${COST}`]: 1 });
      expect(await operationsOf(() => wrongLogin(uniqueEmail('nobody')))).toEqual({
        [`verify ${COST}`]: 1,
      });
    }
  });

  it('gives the same answer and writes the same audit row either way', async () => {
    const events = () => count(t, 'security_events', sql`type = 'login_failed'`);
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    const before = await events();
    const known = await wrongLogin(user.email);
    expect(await events()).toBe(before + 1);
    const unknown = await wrongLogin(uniqueEmail('nobody'));
    expect(await events()).toBe(before + 2);
    expect(strip(unknown.body)).toEqual(strip(known.body));
    expect(unknown.body.type).toBe('https://amirawellness.com/problems/invalid-credentials');
  });

  it('counts a successful sign-in as one verification too (and no new hash)', async () => {
    const ops = await operationsOf(async () => {
      const response = await t.request('POST', '/v1/auth/login', {
        ip: '192.0.2.250',
        body: { email: user.email, password: user.password },
      });
      expect(response.status).toBe(200);
    });
    expect(ops).toEqual({ [`verify ${COST}`]: 1 });
  });
});
