// Routes for operators and tooling, outside /v1: health (on the public port, for the load
// balancer, and on the operations listener), metrics and the OpenAPI document (on the
// public port only when no operations listener is configured: development by default).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Platform } from '../platform.ts';
import { json } from './responses.ts';

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: () => Promise<void>): Promise<'ok' | 'failing'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, platform: Platform): void {
  const tags = ['operations'];
  app.get(
    '/health/live',
    {
      schema: {
        operationId: 'getLiveness',
        tags,
        summary: 'The process is up',
        description:
          'For liveness probes: answers while the process serves requests, whatever its ' +
          'dependencies. Never rate limited.',
        response: { 200: json('Alive', Type.Object({ status: Type.Literal('ok') })) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const Ready = Type.Object({
    status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
    checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing')])),
    /** Dependencies this process can do without for a while (it falls back). */
    optional: Type.Array(Type.String()),
  });
  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'getReadiness',
        tags,
        summary: 'Every dependency this process needs answers',
        description:
          'For readiness probes and load balancers: 200 when every required dependency ' +
          '(database, storage, job queue, as this process uses them) answers within 2 s, 503 ' +
          'otherwise; `optional` lists those it can do without for a while. Never rate limited.',
        response: {
          200: json('Ready to serve', Ready),
          503: json('Not ready: a required dependency is failing', Ready),
        },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        [...platform.readiness.entries()].map(
          async ([name, { check, required }]) => [name, await runCheck(check), required] as const,
        ),
      );
      const checks = Object.fromEntries(entries.map(([name, state]) => [name, state]));
      const ready = entries.every(([, state, required]) => state === 'ok' || !required);
      const optional = entries.filter(([, , required]) => !required).map(([name]) => name);
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unready', checks, optional });
    },
  );
}

/** Prometheus metrics, and the API's OpenAPI document where there is one to serve. */
export function registerOperatorRoutes(
  app: FastifyInstance,
  platform: Platform,
  openapi: (() => unknown) | undefined,
): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(platform.metrics.contentType).send(await platform.metrics.metrics()),
  );
  if (openapi) app.get('/openapi.json', { schema: { hide: true } }, async () => openapi());
}
