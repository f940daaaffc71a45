// HTTP route of the account deletion: DELETE /v1/users/me.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { DeletionService } from './service.ts';
import { AccountDeletionScheduled } from './schemas.ts';

export const deletionRoutes: FastifyPluginAsyncTypebox<{ service: DeletionService }> = async (
  app,
  { service },
) => {
  app.delete(
    '/',
    {
      config: { stepUp: true },
      schema: {
        operationId: 'deleteAccount',
        tags: ['users'],
        summary:
          'Delete the account: disabled at once, purged with all its data after a grace period',
        description:
          'Needs a recent POST /v1/auth/reauthenticate in this session (401 ' +
          'reauthentication-required otherwise). Every session ends and no push or reminder ' +
          'goes out from now on; an email says when the account will be deleted. Signing in ' +
          'again with restore_account: true before purge_after (ACCOUNT_DELETION_GRACE_DAYS, ' +
          '7 days by default) cancels the deletion; after it, everything is deleted for good.',
        response: {
          202: json('The deletion is scheduled', AccountDeletionScheduled, {
            examples: {
              lucia: {
                summary: 'Purged in 7 days unless Lucía signs in again',
                value: { status: 'pending_deletion', purge_after: '2026-03-17T09:00:00.000Z' },
              },
            },
          }),
          ...errorResponses(401),
        },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await service.deleteAccount(callerOf(request), requestMeta(request))),
  );
};
