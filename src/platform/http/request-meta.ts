import type { FastifyRequest } from 'fastify';

/** Who is calling from where, for the audit trail and rate limits. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip || null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 256) : null,
  };
}
