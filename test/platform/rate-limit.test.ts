// The budgets' shared mechanism: an attempt is taken atomically before the work it limits,
// so a burst gets exactly the budget, and a refund gives one attempt back, once. Run on
// process memory and on Redis (what several replicas share).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  attemptAll,
  createLimiterFactory,
  type LimiterFactory,
} from '../../src/platform/http/rate-limit.ts';
import { AppError } from '../../src/platform/errors.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `amira-test-${randomBytes(4).toString('hex')}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const backends: [string, () => Promise<LimiterFactory>][] = [
  ['memory', () => Promise.resolve(createLimiterFactory(undefined))],
  [
    'redis',
    async () => {
      if (redis.status !== 'ready') await redis.connect();
      return createLimiterFactory(redis, prefix);
    },
  ],
];

/** Settles every promise; counts the fulfilled ones and checks every rejection is a 429. */
async function outcomes<T>(promises: Promise<T>[]) {
  const settled = await Promise.allSettled(promises);
  const taken = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  for (const reason of refused) {
    expect(reason).toBeInstanceOf(AppError);
    expect((reason as AppError).status).toBe(429);
    expect(Number((reason as AppError).headers?.['retry-after'])).toBeGreaterThan(0);
  }
  return { taken, refused: refused.length };
}

describe.each(backends)('limiter attempts on %s', (_name, factory) => {
  const unique = () => `key-${randomBytes(6).toString('hex')}`;

  it('lets exactly the budget through a burst of 50 concurrent attempts', async () => {
    const limiter = (await factory())({ name: unique(), points: 5, durationSeconds: 60 });
    const key = unique();
    const { taken, refused } = await outcomes(
      Array.from({ length: 50 }, () => limiter.attempt(key)),
    );
    expect(taken).toHaveLength(5);
    expect(refused).toBe(45);
  });

  it('gives one attempt back per refund, and only once per attempt', async () => {
    const limiter = (await factory())({ name: unique(), points: 3, durationSeconds: 60 });
    const key = unique();
    const first = await limiter.attempt(key);
    await limiter.attempt(key);
    await limiter.attempt(key);
    await first.refund();
    await first.refund(); // a second refund of the same attempt gives nothing more
    const { taken, refused } = await outcomes(
      Array.from({ length: 10 }, () => limiter.attempt(key)),
    );
    expect(taken).toHaveLength(1);
    expect(refused).toBe(9);
  });

  it('takes every budget or none: a refusal by a later budget gives the earlier ones back', async () => {
    const limits = await factory();
    const pair = limits({ name: unique(), points: 10, durationSeconds: 60 });
    const address = limits({ name: unique(), points: 2, durationSeconds: 60 });
    const [pairKey, addressKey] = [unique(), unique()];
    const { taken, refused } = await outcomes(
      Array.from({ length: 8 }, () =>
        attemptAll([
          [pair, pairKey],
          [address, addressKey],
        ]),
      ),
    );
    expect(taken).toHaveLength(2);
    expect(refused).toBe(6);
    // The pair budget lost only the two attempts that were made: eight more fit.
    const rest = await outcomes(Array.from({ length: 12 }, () => pair.attempt(pairKey)));
    expect(rest.taken).toHaveLength(8);
  });

  it('gives one attempt back to each budget on a combined refund', async () => {
    const limits = await factory();
    const pair = limits({ name: unique(), points: 2, durationSeconds: 60 });
    const address = limits({ name: unique(), points: 1, durationSeconds: 60 });
    const both: [typeof pair, string][] = [
      [pair, unique()],
      [address, unique()],
    ];
    const taken = await attemptAll(both);
    await taken.refund();
    await attemptAll(both); // fits again: the address budget has its one point back
    await expect(attemptAll(both)).rejects.toMatchObject({ status: 429 });
    await expect(pair.attempt(both[0]![1])).resolves.toBeDefined(); // the pair's second point
  });

  it('does not refund into the next window once the attempt’s window has ended', async () => {
    const limiter = (await factory())({ name: unique(), points: 2, durationSeconds: 1 });
    const key = unique();
    const late = await limiter.attempt(key);
    await sleep(1100);
    await late.refund(); // its window is over: giving it back would make the next window 3
    const { taken } = await outcomes(Array.from({ length: 5 }, () => limiter.attempt(key)));
    expect(taken).toHaveLength(2);
  });
});
