// HTTP routes of /v1/admin/users (scope admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, IdParams } from '../../../platform/http/schemas.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { AdminService } from './service.ts';
import { AdminUpdateBody, AdminUser, AdminUserPage, AdminUserQuery } from './schemas.ts';

const tags = ['admin'];
const adminOnly = { scope: 'admin' } as const;

export const adminRoutes: FastifyPluginAsyncTypebox<{ service: AdminService }> = async (
  app,
  { service },
) => {
  app.get(
    '/',
    {
      config: adminOnly,
      schema: {
        operationId: 'adminListUsers',
        tags,
        summary: 'Accounts, newest first',
        querystring: AdminUserQuery,
        response: { 200: AdminUserPage, ...errorResponses() },
      },
    },
    (request) =>
      service.listUsers(callerOf(request), {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
        email: request.query.email,
      }),
  );

  app.patch(
    '/:id',
    {
      config: adminOnly,
      schema: {
        operationId: 'adminUpdateUser',
        tags,
        summary: 'Change the role or lock/unlock an account (a lock ends every session)',
        params: IdParams,
        body: AdminUpdateBody,
        response: { 200: AdminUser, ...errorResponses(404, 409) },
      },
    },
    (request) =>
      service.updateUser(callerOf(request), request.params.id, request.body, requestMeta(request)),
  );
};
