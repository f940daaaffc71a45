// What every API request must do that a bare limit skips, for the limits run "with the
// API's duties" (LimitConfig.duties): the measure of how far the API is from its limit once
// the work it cannot drop is counted on both sides.
// - The revocation check: one Redis command per request on the API's own set of revoked
//   sessions (ZMSCORE of the set's marker and the session, as src/platform/cache/
//   expiring-set.ts asks), so that a signed-out session stops at once.
// - The request log: one line per request after the response, with the API's logger
//   options (the secret scrubbing formatter included), written asynchronously to /dev/null
//   as the benchmark writes the API's.
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loggerOptions } from '../../src/platform/logger.ts';
import type { LimitConfig } from './common.ts';

export function revocationCheck(config: LimitConfig): (sessionId: string) => Promise<boolean> {
  if (!config.redisUrl) throw new Error('a limit with duties needs redisUrl');
  const redis = new Redis(config.redisUrl);
  const key = `${config.redisKeyPrefix ?? ''}set:revoked-sessions`;
  return async (sessionId) => {
    const [, expiry] = await redis.zmscore(key, '~whole', sessionId);
    return expiry !== null && expiry !== undefined && Number(expiry) > Date.now();
  };
}

export function registerRequestLog(app: FastifyInstance): void {
  const log = pino(
    loggerOptions('info', false),
    pino.destination({ dest: '/dev/null', sync: false }),
  );
  app.addHook('onResponse', async (request, reply) => {
    log.info(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}
