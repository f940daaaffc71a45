// Login must not tell whether an email has an account by how long it takes: an unknown
// email is verified against a dummy Argon2id hash. Medians over interleaved tries (so that
// drift in the machine's load hits both alike) must be within 20 % of each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, uniqueEmail, type TestUser } from '../helpers/users.ts';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(() => t.close());

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('login timing', () => {
  it('is the same for a known email with a wrong password and for an unknown email', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    const attempt = async (email: string, into: number[], i: number) => {
      const started = performance.now();
      const response = await t.request('POST', '/v1/auth/login', {
        // A new address each time: the failure budgets are not what is measured here.
        ip: `192.0.2.${1 + (i % 250)}`,
        body: { email, password: 'not the right password' },
      });
      into.push(performance.now() - started);
      expect(response.status).toBe(401);
      expect(response.body.type).toBe('https://amirawellness.com/problems/invalid-credentials');
    };
    for (let i = 0; i < 25; i++) {
      await attempt(user.email, known, i);
      await attempt(uniqueEmail('nobody'), unknown, i);
    }
    const [a, b] = [median(known.slice(3)), median(unknown.slice(3))]; // after warm-up
    expect(Math.abs(a - b) / Math.max(a, b), `known ${a} ms, unknown ${b} ms`).toBeLessThanOrEqual(
      0.2,
    );
  }, 60_000);
});
