// HTTP route of /v1/users/me/security-events: the account's own audit trail.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { PageQuery } from '../../../platform/http/schemas.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import type { SecurityEventsService } from './service.ts';
import { SecurityEventPage } from './schemas.ts';

const tags = ['users'];

export const securityEventsRoutes: FastifyPluginAsyncTypebox<{
  service: SecurityEventsService;
}> = async (app, { service }) => {
  app.get(
    '/security-events',
    {
      schema: {
        operationId: 'listSecurityEvents',
        tags,
        summary: "The account's own audit trail, newest first",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: json('A page of security events', SecurityEventPage),
          ...errorResponses(),
        },
      },
    },
    (request) => service.list(callerOf(request), request.query.limit ?? 20, request.query.cursor),
  );
};
