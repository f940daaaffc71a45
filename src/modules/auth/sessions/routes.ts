// HTTP routes of the sessions, under /v1/auth: refresh, sign out, and the owner's list of
// signed-in devices.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { IdParams } from '../../../platform/http/schemas.ts';
import { errorResponses, json, noBody } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { refreshExamples, sessionExample, tokenPairExamples } from '../examples.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { SessionsService } from './service.ts';
import { RefreshBody, RevokedCount, SessionList, TokenPair } from '../schemas.ts';

const tags = ['auth'];
const publicRoute = { public: true } as const;

export const sessionsRoutes: FastifyPluginAsyncTypebox<{ service: SessionsService }> = async (
  app,
  { service },
) => {
  app.post(
    '/refresh',
    {
      config: {
        ...publicRoute,
        openapi: { bodyExamples: bodyExamples(RefreshBody, refreshExamples) },
      },
      schema: {
        operationId: 'refreshTokens',
        tags,
        summary: 'Exchange a refresh token for a new pair (each refresh token works once)',
        description:
          'A second refresh with the same token within the grace window returns the same new pair. ' +
          'Outside it, the token counts as stolen: the session is revoked (problem type refresh-token-reused). ' +
          'Refresh when the access token expires (expires_in) or a request answers 401; store ' +
          'the new refresh token before using the new access token.',
        body: RefreshBody,
        response: {
          200: json('A new token pair (the refresh token sent no longer works)', TokenPair, {
            examples: tokenPairExamples,
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    (request) => service.refresh(request.body.refresh_token, requestMeta(request)),
  );

  app.post(
    '/logout',
    {
      schema: {
        operationId: 'logout',
        tags,
        summary: 'End the current session',
        description: 'Its access and refresh tokens stop working at once, on every replica.',
        response: { 204: noBody('Signed out'), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await service.logout(callerOf(request), requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sessions',
    {
      schema: {
        operationId: 'listSessions',
        tags,
        summary: 'The signed-in devices of this account',
        response: {
          200: json('The sessions, the current one marked is_current', SessionList, {
            examples: {
              lucia: { summary: 'Lucía on her iPhone', value: { items: [sessionExample] } },
            },
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => ({ items: await service.listSessions(callerOf(request)) }),
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        operationId: 'revokeSession',
        tags,
        summary: 'End one session',
        params: IdParams,
        response: { 204: noBody('The session is ended'), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.revokeSession(callerOf(request), request.params.id, requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/sessions/revoke-others',
    {
      schema: {
        operationId: 'revokeOtherSessions',
        tags,
        summary: 'End every session but this one',
        response: { 200: json('How many sessions ended', RevokedCount), ...errorResponses() },
      },
    },
    (request) => service.revokeOtherSessions(callerOf(request), requestMeta(request)),
  );
};
