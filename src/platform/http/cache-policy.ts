// What caches may keep. Everything under /v1 is someone's data or a credential (sign-in
// answers carry tokens), so a response that does not state its own cache policy (the
// public catalog and the ETag-revalidated reads do) is `Cache-Control: no-store`, errors
// included: neither a shared cache nor the device's HTTP cache may keep it.
import type { FastifyInstance } from 'fastify';

export function registerCachePolicy(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/v1/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
}
