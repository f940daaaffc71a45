// HTTP routes of /v1/auth/mfa: two-step sign-in with an authenticator app.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, json, noBody } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { codeExamples } from '../examples.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { MfaService } from './service.ts';
import { CodeBody, MfaEnabled, MfaStatus, RecoveryCodes, TotpEnrolment } from './schemas.ts';

const tags = ['auth'];
/** Changing how the account signs in needs a fresh proof (POST /v1/auth/reauthenticate). */
const sensitive = { stepUp: true } as const;

export const mfaRoutes: FastifyPluginAsyncTypebox<{ service: MfaService }> = async (
  app,
  { service },
) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'getMfaStatus',
        tags,
        summary: 'Whether two-step sign-in is on, and how many recovery codes are left',
        response: { 200: json('Two-step sign-in status', MfaStatus), ...errorResponses() },
      },
    },
    (request) => service.status(callerOf(request)),
  );

  app.post(
    '/totp',
    {
      config: sensitive,
      schema: {
        operationId: 'startTotpEnrollment',
        tags,
        summary: 'Start enrolling an authenticator app (needs a recent re-authentication)',
        description:
          'Returns a new secret and its otpauth:// URI (show it as a QR code). Two-step sign-in ' +
          'is on only after POST /v1/auth/mfa/totp/confirm with a first code.',
        response: {
          201: json('The secret to add to the authenticator app', TotpEnrolment),
          ...errorResponses(409),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await service.startEnrolment(callerOf(request))),
  );

  app.post(
    '/totp/confirm',
    {
      config: { openapi: { bodyExamples: bodyExamples(CodeBody, codeExamples) } },
      schema: {
        operationId: 'confirmTotpEnrollment',
        tags,
        summary: 'Confirm the authenticator with its first code; returns ten recovery codes (once)',
        description:
          'Two-step sign-in is on from now: sign-ins answer a challenge (POST ' +
          '/v1/auth/login/mfa). Show the recovery codes once and ask the person to keep them; ' +
          'the server keeps only their hashes. A wrong code is a 403 mfa-code-incorrect.',
        body: CodeBody,
        response: {
          200: json('Two-step sign-in is on; the recovery codes are shown once', MfaEnabled),
          ...errorResponses(403, 409),
        },
      },
    },
    (request) =>
      service.confirmEnrolment(callerOf(request), request.body.code, requestMeta(request)),
  );

  app.delete(
    '/totp',
    {
      config: sensitive,
      schema: {
        operationId: 'disableTotp',
        tags,
        summary: 'Turn two-step sign-in off (needs a recent re-authentication)',
        response: { 204: noBody('Two-step sign-in is off'), ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      await service.disable(callerOf(request), requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/recovery-codes',
    {
      config: sensitive,
      schema: {
        operationId: 'regenerateRecoveryCodes',
        tags,
        summary: 'Replace the recovery codes (the old ones stop working)',
        response: {
          200: json('The new recovery codes, shown once', RecoveryCodes),
          ...errorResponses(409),
        },
      },
    },
    (request) => service.regenerateRecoveryCodes(callerOf(request), requestMeta(request)),
  );
};
