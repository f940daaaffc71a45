// The gateway's request budgets: exact within a process (a burst takes exactly the budget),
// fresh in each window, shared between replicas through Redis at each sync, and still
// counting when Redis is gone.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.ts';
import { createGuard } from '../../src/platform/resilience.ts';
import { createRequestBudgetFactory } from '../../src/platform/http/request-budget.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());

const silent = pino({ level: 'silent' });
const guard = () => createGuard('redis', { timeoutMs: 500, failures: 3 }, new Registry(), silent);
const spec = { name: 'test-budget', points: 10, durationSeconds: 60 };

/** The outcome of each of `n` requests for a key: remaining budget, or 429 and Retry-After. */
function burst(budget: { consume(key: string): { remaining: number } }, key: string, n: number) {
  return Array.from({ length: n }, () => {
    try {
      return budget.consume(key).remaining;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(429);
      return 'refused';
    }
  });
}

describe('request budgets', () => {
  it('let exactly the budget through, counting down, then refuse with a Retry-After', () => {
    let now = 60_000 * 1000 + 15_000; // 15 s into a window
    const budget = createRequestBudgetFactory(undefined, () => now)(spec);
    expect(burst(budget, '10.0.0.1', 12)).toEqual([
      9,
      8,
      7,
      6,
      5,
      4,
      3,
      2,
      1,
      0,
      'refused',
      'refused',
    ]);
    const refusal = (() => {
      try {
        budget.consume('10.0.0.1');
      } catch (error) {
        return error as AppError;
      }
      return undefined;
    })();
    expect(refusal?.headers).toEqual({ 'retry-after': '45' });
    // Another key has a budget of its own; the next window starts afresh.
    expect(budget.consume('10.0.0.2').remaining).toBe(9);
    now += 45_000;
    expect(budget.consume('10.0.0.1').remaining).toBe(9);
  });

  it('shares each replica’s count through Redis at each sync', async () => {
    const keyPrefix = `test-budget-${randomUUID().slice(0, 8)}:`;
    const shared = { redis, keyPrefix, guard: guard() };
    const [a, b] = [
      createRequestBudgetFactory(shared)(spec),
      createRequestBudgetFactory(shared)(spec),
    ];
    expect(burst(a, 'user-1', 8).filter((r) => r === 'refused')).toEqual([]);
    await a.sync();
    // Replica b has not heard of them yet: its first request is counted, then it learns.
    expect(b.consume('user-1').remaining).toBe(9);
    await b.sync();
    expect(burst(b, 'user-1', 3)).toEqual([0, 'refused', 'refused']);
    await b.sync();
    // Replica a has counted nothing since its last sync and still believes 8: one more gets
    // through there (the overshoot a sync interval allows); once synced, it knows.
    expect(burst(a, 'user-1', 1)).toEqual([1]);
    await a.sync();
    expect(burst(a, 'user-1', 1)).toEqual(['refused']);
    const keys = await redis.keys(`${keyPrefix}budget:test-budget:*:user-1`);
    expect(keys).toHaveLength(1);
    expect(Number(await redis.get(keys[0]!))).toBe(11);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(60_000);
  });

  it('keeps its own count when Redis restarts empty', async () => {
    const keyPrefix = `test-budget-${randomUUID().slice(0, 8)}:`;
    const budget = createRequestBudgetFactory({ redis, keyPrefix, guard: guard() })(spec);
    expect(burst(budget, 'user-2', 7).filter((r) => r === 'refused')).toEqual([]);
    await budget.sync();
    // Redis loses the key (a restart, an eviction): the next sync pushes one request only.
    const keys = await redis.keys(`${keyPrefix}budget:*`);
    await redis.del(...keys);
    expect(budget.consume('user-2').remaining).toBe(2);
    await budget.sync();
    expect(burst(budget, 'user-2', 3)).toEqual([1, 0, 'refused']);
    await budget.sync();
    expect(Number(await redis.get(keys[0]!))).toBe(3);
  });

  it('keeps counting in memory when Redis is unreachable', async () => {
    const gone = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const budget = createRequestBudgetFactory({ redis: gone, keyPrefix: 'x:', guard: guard() })(
      spec,
    );
    expect(burst(budget, 'k', 5).filter((r) => r === 'refused')).toEqual([]);
    await expect(budget.sync()).resolves.toBeUndefined();
    expect(burst(budget, 'k', 6)).toEqual([4, 3, 2, 1, 0, 'refused']);
    gone.disconnect();
  });
});
