import type { FastifyReply, FastifyRequest } from 'fastify';

/** Sends `body` with its ETag, or 304 when the client already has this version. */
export function sendWithEtag<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  result: { body: T; etag: string },
  cacheControl = 'private, max-age=0, must-revalidate',
): FastifyReply {
  reply.header('etag', result.etag).header('cache-control', cacheControl);
  const match = request.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((tag) => tag.trim() === result.etag)) {
    return reply.code(304).send(null);
  }
  return reply.send(result.body);
}
