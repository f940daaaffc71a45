// HTTP routes of the email change: the request (signed in, re-authenticated) and the
// confirmation (public: the link may be opened on another device).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { emma } from '../../../platform/http/openapi/example-values.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import { Accepted, TokenBody } from '../../auth/index.ts';
import type { EmailChangeService } from './service.ts';
import { ChangeEmailBody } from './schemas.ts';

export const emailChangeRoutes: FastifyPluginAsyncTypebox<{ service: EmailChangeService }> = async (
  app,
  { service },
) => {
  app.post(
    '/v1/users/me/email',
    {
      config: {
        stepUp: true,
        openapi: {
          bodyExamples: bodyExamples(ChangeEmailBody, {
            emma: {
              summary: 'Emma moves to her work address',
              value: { new_email: 'emma.wilson@acme.example' },
            },
          }),
        },
      },
      schema: {
        operationId: 'changeEmail',
        tags: ['users'],
        summary: 'Change the email address (needs a recent re-authentication)',
        description:
          'Sends a confirmation link to the new address and a notice to the current one; the ' +
          'address changes only when the link is followed (POST /v1/auth/confirm-email-change).',
        body: ChangeEmailBody,
        response: {
          202: json('Accepted; the confirmation link goes to the new address', Accepted),
          ...errorResponses(409),
        },
      },
    },
    async (request, reply) => {
      await service.request(callerOf(request), request.body.new_email, requestMeta(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/auth/confirm-email-change',
    {
      config: {
        public: true,
        openapi: {
          bodyExamples: bodyExamples(TokenBody, {
            emailed: {
              summary: 'The token from the confirmation link',
              value: { token: 'Xq9Lm2Vb7Nc4Kd1Pf8Hs3Jt6Rg0Wy5Ze2Ua7Ib4Oc9' },
            },
          }),
        },
      },
      schema: {
        operationId: 'confirmEmailChange',
        tags: ['auth'],
        summary: 'Move the account to the new address with the token from the confirmation email',
        body: TokenBody,
        response: {
          200: json(
            'The account now uses the new address',
            Type.Object({ email: Type.String({ description: 'The new address' }) }),
            { examples: { emma: { summary: 'Emma’s new address', value: { email: emma.email } } } },
          ),
          ...errorResponses(409),
        },
      },
    },
    (request) => service.confirm(request.body.token, requestMeta(request)),
  );
};
