// Fixed-window rate limits (rate-limiter-flexible). With Redis every replica shares one
// budget; if Redis fails, each process falls back to its own memory budget (the insurance
// limiter) rather than refusing traffic or letting it through unlimited.
//
// Failure budgets (wrong passwords, wrong codes) are taken *before* the attempt is
// evaluated, with one atomic increment (`attempt`): of N concurrent requests at most
// `points` get through, whatever their timing. A "check, then count after the work" pair
// lets a whole burst through the check before the first failure is counted.
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { tooManyRequests } from '../errors.ts';

export interface LimitSpec {
  name: string;
  points: number;
  durationSeconds: number;
}

export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** One attempt taken from a budget; the caller gives it back when it must not count. */
export interface Attempt {
  /**
   * Gives the attempt back (it succeeded, or was refused before anything was evaluated).
   * Once only; does nothing once the window it was taken in has ended (giving it back
   * then would add a point to the next window).
   */
  refund(): Promise<void>;
}

export interface Limiter {
  readonly spec: LimitSpec;
  /** Counts one hit; throws a 429 AppError when the budget is spent. */
  consume(key: string, points?: number): Promise<LimitState>;
  /** Takes one attempt now, atomically; throws a 429 AppError when the budget is spent. */
  attempt(key: string): Promise<Attempt>;
}

export type LimiterFactory = (spec: LimitSpec) => Limiter;

/**
 * Takes one attempt from each budget in order. When a later budget refuses, the attempts
 * already taken are given back (nothing was tried) and its 429 is thrown.
 */
export async function attemptAll(budgets: [Limiter, string][]): Promise<Attempt> {
  const taken: Attempt[] = [];
  try {
    for (const [limiter, key] of budgets) taken.push(await limiter.attempt(key));
  } catch (error) {
    await Promise.all(taken.map((a) => a.refund()));
    throw error;
  }
  return {
    async refund() {
      await Promise.all(taken.map((a) => a.refund()));
    },
  };
}

export function createLimiterFactory(
  redis: Redis | undefined,
  keyPrefix = 'amira:',
): LimiterFactory {
  return (spec) => {
    const memory = new RateLimiterMemory({
      keyPrefix: `rl:${spec.name}`,
      points: spec.points,
      duration: spec.durationSeconds,
    });
    const store: RateLimiterAbstract = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${keyPrefix}rl:${spec.name}`,
          points: spec.points,
          duration: spec.durationSeconds,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
    const state = (res: RateLimiterRes): LimitState => ({
      limit: spec.points,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.ceil(res.msBeforeNext / 1000),
    });
    const refuse = (res: RateLimiterRes) =>
      tooManyRequests(
        Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        'Too many attempts; wait before trying again',
      );
    const take = async (key: string, points: number): Promise<RateLimiterRes> => {
      try {
        return await store.consume(key, points);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw refuse(error);
        throw error;
      }
    };
    return {
      spec,
      async consume(key, points = 1) {
        return state(await take(key, points));
      },
      async attempt(key) {
        const res = await take(key, 1);
        const windowEnds = Date.now() + res.msBeforeNext;
        let refunded = false;
        return {
          async refund() {
            if (refunded || Date.now() >= windowEnds) return;
            refunded = true;
            await store.reward(key, 1);
          },
        };
      },
    };
  };
}
