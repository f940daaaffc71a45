// The API gateway's duties, done in the app so they hold behind any load balancer:
// security headers, CORS from an allow-list, compression, load shedding, and a global
// request budget per client address and per signed-in user (shared through Redis when
// configured) announced in RateLimit-* headers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import compress from '@fastify/compress';
import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure';
import type { Config } from '../../config.ts';
import { AppError } from '../errors.ts';
import type { LimitState } from './rate-limit.ts';
import type { RequestBudgetFactory } from './request-budget.ts';

/** The request headers a browser client may send (what the SDK and the routes use). */
export const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'if-none-match',
  'range',
  'x-request-id',
];

/**
 * Every response header the API sends or documents that a browser script may need and
 * cannot read by default (CORS safelists only Cache-Control, Content-Language,
 * Content-Length, Content-Type, Expires, Last-Modified and Pragma). Without
 * x-encryption-iv a web client cannot decrypt a downloaded recording.
 */
export const CORS_EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'allow',
  'location',
  'etag',
  'accept-ranges',
  'content-range',
  'content-length',
  'content-disposition',
  'x-encryption-algorithm',
  'x-encryption-iv',
  'x-checksum-sha256',
  'idempotent-replayed',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'deprecation',
  'sunset',
  'link',
];

/** Operators' routes are never limited or shed (a probe must see the truth). */
export const exemptFromBudgets = (url: string): boolean =>
  url.startsWith('/health/') || url === '/metrics' || url.startsWith('/docs');

/**
 * What the load shedder does with a request while the process is under pressure: thrown,
 * so the error handler writes the usual problem document.
 */
export async function shedUnlessExempt(
  request: FastifyRequest,
  _reply: FastifyReply,
  type: string,
  value: number | undefined,
): Promise<void> {
  if (exemptFromBudgets(request.url)) return;
  // A block longer than the 1 s sampling window can leave the window without a sample,
  // which under-pressure reads as an infinite delay and sheds everything until the next
  // sample, although the loop is free again (fastify/under-pressure#125). A sustained lag
  // shows as a finite mean in the next windows and is shed then.
  if (type === TYPE_EVENT_LOOP_DELAY && value === Infinity) return;
  throw new AppError(503, 'overloaded', 'Server busy', {
    detail: 'The server is overloaded; try again shortly',
    retryAfterSeconds: 10,
    headers: { 'retry-after': '10' },
  });
}

function announce(reply: FastifyReply, state: LimitState, windowSeconds: number) {
  reply.header('ratelimit-limit', String(state.limit));
  reply.header('ratelimit-remaining', String(state.remaining));
  reply.header('ratelimit-reset', String(state.resetSeconds));
  reply.header('ratelimit-policy', `${state.limit};w=${windowSeconds}`);
}

export async function registerGateway(
  app: FastifyInstance,
  config: Config,
  budgets: RequestBudgetFactory,
): Promise<void> {
  await app.register(helmet, {
    // Set below for API responses; the /docs page (Swagger UI) brings its own scripts.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (request, reply) => {
    // A route that states its own policy (the share page) keeps it.
    if (!request.url.startsWith('/docs') && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
  });

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }

  // JSON and text compress; audio and zip bundles are already dense (and not compressible types).
  await app.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });

  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    // Event-loop delay, not utilization: a busy but responsive server is at ~100% ELU.
    retryAfter: 10,
    pressureHandler: shedUnlessExempt,
  });

  const perAddress = budgets({
    name: 'global-ip',
    points: config.rateLimits.ipPerMinute,
    durationSeconds: 60,
  });
  const perUser = budgets({
    name: 'global-user',
    points: config.rateLimits.userPerMinute,
    durationSeconds: 60,
  });
  // Every request counts against its address before authentication (so a flood of bad
  // tokens is limited too); signed-in requests also count against their user.
  app.addHook('onRequest', async (request, reply) => {
    if (exemptFromBudgets(request.url)) return;
    const state = perAddress.consume(request.ip);
    announce(reply, state, 60);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (!request.auth) return;
    const state = perUser.consume(request.auth.userId);
    announce(reply, state, 60);
  });
}
