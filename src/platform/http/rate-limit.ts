// Fixed-window rate limits (rate-limiter-flexible). With Redis every replica shares one
// budget; if Redis fails, each process falls back to its own memory budget (the insurance
// limiter) rather than refusing traffic or letting it through unlimited.
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

export interface Limiter {
  readonly spec: LimitSpec;
  /** Counts one hit; throws a 429 AppError when the budget is spent. */
  consume(key: string, points?: number): Promise<LimitState>;
  /** Throws a 429 AppError if the budget is already spent, without counting. */
  check(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export type LimiterFactory = (spec: LimitSpec) => Limiter;

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
    return {
      spec,
      async consume(key, points = 1) {
        try {
          return state(await store.consume(key, points));
        } catch (error) {
          if (error instanceof RateLimiterRes) throw refuse(error);
          throw error;
        }
      },
      async check(key) {
        const res = await store.get(key);
        if (res && res.consumedPoints >= spec.points) throw refuse(res);
      },
      async reset(key) {
        await store.delete(key);
      },
    };
  };
}
