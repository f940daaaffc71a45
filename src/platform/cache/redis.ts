// The shared Redis connection (when REDIS_URL is set). Commands fail fast while Redis is
// unreachable (no offline queue) so callers can fall back instead of hanging; the client
// reconnects by itself with capped backoff.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

export function createRedis(url: string, log: Logger, metrics: Registry): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  });
  const connected = new Gauge({
    name: 'redis_connected',
    help: '1 while the Redis connection is ready; 0 while the process runs on its fallbacks',
    registers: [metrics],
  });
  connected.set(0);
  redis.on('ready', () => {
    connected.set(1);
    log.info('redis connected');
  });
  redis.on('close', () => connected.set(0));
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
