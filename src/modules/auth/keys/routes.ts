// HTTP routes of the key material: GET /v1/auth/key-params (public: clients ask before
// signing in) and /v1/users/me/key-envelopes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { keyParamsExamples, putKeyEnvelopesExamples } from '../examples.ts';
import { keyEnvelopes } from '../../../platform/http/openapi/example-values.ts';
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
        description:
          'Ask before signing in or registering: derive 64 bytes with Argon2id(password, salt) ' +
          'and these costs; the first half is the auth key (sent as the password), the second ' +
          'the key-encryption key, which never leaves the device (docs/encryption.md). An ' +
          'unknown email gets a salt derived from it, so the answer tells nobody whether an ' +
          'account exists.',
        querystring: Type.Object(
          { email: EmailBody.properties.email },
          { additionalProperties: false },
        ),
        response: {
          200: json('The parameters to derive keys with', KeyParams, {
            examples: keyParamsExamples,
          }),
          ...errorResponses(),
        },
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
        description:
          'After signing in on a new device: unwrap the `password` envelope with the ' +
          'key-encryption key to get the data key (docs/encryption.md).',
        response: {
          200: json('The envelopes by label', KeyEnvelopeList, {
            examples: {
              lucia: {
                summary: 'Lucía’s data key, under her password and her recovery key',
                value: {
                  items: [
                    {
                      label: 'password',
                      envelope: keyEnvelopes.luciaDataKey,
                      updated_at: '2026-01-12T02:31:08.000Z',
                    },
                    {
                      label: 'recovery',
                      envelope: keyEnvelopes.luciaRecoveryKey,
                      updated_at: '2026-01-12T02:33:40.000Z',
                    },
                  ],
                },
              },
            },
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => ({ items: await service.listKeyEnvelopes(callerOf(request)) }),
  );

  app.put(
    '/v1/users/me/key-envelopes',
    {
      config: {
        openapi: { bodyExamples: bodyExamples(PutKeyEnvelopesBody, putKeyEnvelopesExamples) },
      },
      schema: {
        operationId: 'putKeyEnvelopes',
        tags: ['users'],
        summary:
          'Store wrapped data keys by label (e.g. recovery); the password envelope changes only with the password',
        description:
          'Each envelope is the data key wrapped on the device (docs/encryption.md), e.g. under ' +
          'a recovery key the person writes down (`recovery`). Labels given replace their ' +
          'envelopes; others stay. The `password` envelope is written at registration and ' +
          'replaced only by POST /v1/auth/change-password (409 password-envelope-locked); a ' +
          'label twice is a 422 duplicate-label, more than 10 envelopes a 422 too-many-envelopes.',
        body: PutKeyEnvelopesBody,
        response: {
          200: json('All the envelopes, as stored now', KeyEnvelopeList),
          ...errorResponses(409, 422),
        },
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
