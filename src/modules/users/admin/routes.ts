// HTTP routes of /v1/admin/users (scope admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { IdParams } from '../../../platform/http/schemas.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
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
        response: { 200: json('A page of accounts', AdminUserPage), ...errorResponses() },
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
      config: {
        ...adminOnly,
        openapi: {
          bodyExamples: bodyExamples(AdminUpdateBody, {
            lock: {
              summary: 'Lock an account (every session ends)',
              value: { account_status: 'locked' },
            },
            promote: {
              summary: 'Let an account edit the tool content',
              value: { role: 'content_manager' },
            },
          }),
        },
      },
      schema: {
        operationId: 'adminUpdateUser',
        tags,
        summary: 'Change the role or lock/unlock an account (a lock ends every session)',
        params: IdParams,
        body: AdminUpdateBody,
        response: { 200: json('The account as changed', AdminUser), ...errorResponses(404, 409) },
      },
    },
    (request) =>
      service.updateUser(callerOf(request), request.params.id, request.body, requestMeta(request)),
  );
};
