// HTTP route of the account deletion: DELETE /v1/users/me.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, Timestamp } from '../../../platform/http/schemas.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { DeletionService } from './service.ts';

const AccountDeletionScheduled = Type.Object({
  status: Type.Literal('pending_deletion'),
  purge_after: Timestamp({
    description: 'When the account and its data are deleted, unless the owner signs in again',
  }),
});

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
        response: { 202: AccountDeletionScheduled, ...errorResponses(401) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await service.deleteAccount(callerOf(request), requestMeta(request))),
  );
};
