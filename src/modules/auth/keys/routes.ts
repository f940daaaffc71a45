// HTTP routes of the key material: GET /v1/auth/key-params (public: clients ask before
// signing in) and /v1/users/me/key-envelopes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses } from '../../../platform/http/schemas.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import { EmailBody } from '../schemas.ts';
import type { KeysService } from './service.ts';
import { KeyEnvelopeList, KeyParams, PutKeyEnvelopesBody } from './schemas.ts';

export const keysRoutes: FastifyPluginAsyncTypebox<{ service: KeysService }> = async (
  app,
  { service },
) => {
  app.get(
    '/v1/auth/key-params',
    {
      config: { public: true },
      schema: {
        operationId: 'getKeyParams',
        tags: ['auth'],
        summary: 'Key-derivation parameters for an email (same shape for unknown emails)',
        querystring: Type.Object(
          { email: EmailBody.properties.email },
          { additionalProperties: false },
        ),
        response: { 200: KeyParams, ...errorResponses() },
      },
    },
    (request) => service.keyParams(request.query.email),
  );

  app.get(
    '/v1/users/me/key-envelopes',
    {
      schema: {
        operationId: 'getKeyEnvelopes',
        tags: ['users'],
        summary: 'Wrapped data keys (opaque to the server)',
        response: { 200: KeyEnvelopeList, ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listKeyEnvelopes(callerOf(request)) }),
  );

  app.put(
    '/v1/users/me/key-envelopes',
    {
      schema: {
        operationId: 'putKeyEnvelopes',
        tags: ['users'],
        summary:
          'Store wrapped data keys by label (e.g. recovery); the password envelope changes only with the password',
        body: PutKeyEnvelopesBody,
        response: { 200: KeyEnvelopeList, ...errorResponses(409, 422) },
      },
    },
    async (request) => ({
      items: await service.putKeyEnvelopes(
        callerOf(request),
        request.body.envelopes,
        requestMeta(request),
      ),
    }),
  );
};
