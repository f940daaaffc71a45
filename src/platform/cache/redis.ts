// The shared Redis connection (when REDIS_URL is set). Commands fail fast while Redis is
// unreachable (no offline queue) so callers can fall back instead of hanging; the client
// reconnects by itself with capped backoff.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export function createRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  });
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarning > 10_000) {
      lastWarning = now;
      log.warn({ err: { message: error.message } }, 'redis unavailable');
    }
  });
  return redis;
}
