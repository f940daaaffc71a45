// HTTP routes of /v1/auth: registration, signing in, passwords, email verification and
// re-authentication (sessions are in sessions/routes.ts, MFA in mfa/routes.ts, key
// parameters in keys/routes.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import { requestMeta } from '../../platform/http/request-meta.ts';
import type { AuthService } from './service.ts';
import {
  Accepted,
  ChangePasswordBody,
  EmailBody,
  LoginBody,
  LoginMfaBody,
  MfaChallenge,
  ReauthenticateBody,
  Reauthenticated,
  RegisterBody,
  ResetConfirmBody,
  ResetConfirmResult,
  RevokedCount,
  TokenBody,
  TokenPair,
} from './schemas.ts';

const tags = ['auth'];
const publicRoute = { public: true } as const;

export const authRoutes: FastifyPluginAsyncTypebox<{ service: AuthService }> = async (
  app,
  { service },
) => {
  app.post(
    '/register',
    {
      config: publicRoute,
      schema: {
        operationId: 'register',
        tags,
        summary: 'Create an account; sends a verification email',
        body: RegisterBody,
        response: { 201: TokenPair, ...errorResponses(409, 422) },
      },
    },
    async (request, reply) => {
      const pair = await service.register(request.body, requestMeta(request));
      return reply.code(201).send(pair);
    },
  );

  app.post(
    '/login',
    {
      config: publicRoute,
      schema: {
        operationId: 'login',
        tags,
        summary: 'Sign in',
        body: LoginBody,
        description:
          'With two-step sign-in on, the answer is an MFA challenge instead of tokens: send its ' +
          'mfa_token with a code to POST /v1/auth/login/mfa. An account scheduled for deletion ' +
          'answers 409 account-deletion-pending unless restore_account is true.',
        response: {
          200: Type.Union([TokenPair, MfaChallenge]),
          ...errorResponses(401, 403, 409),
        },
      },
    },
    (request) => service.login(request.body, requestMeta(request)),
  );

  app.post(
    '/login/mfa',
    {
      config: publicRoute,
      schema: {
        operationId: 'completeMfaLogin',
        tags,
        summary:
          'Second sign-in step: the MFA challenge token and an authenticator or recovery code',
        body: LoginMfaBody,
        response: { 200: TokenPair, ...errorResponses(401, 403, 409) },
      },
    },
    (request) => service.loginWithMfa(request.body, requestMeta(request)),
  );

  app.post(
    '/reset-password',
    {
      config: publicRoute,
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        summary: 'Send a password reset link (always 202, whether or not the account exists)',
        body: EmailBody,
        response: { 202: Accepted, ...errorResponses() },
      },
    },
    async (request, reply) => {
      await service.requestPasswordReset(request.body.email, requestMeta(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/reset-password-confirm',
    {
      config: publicRoute,
      schema: {
        operationId: 'confirmPasswordReset',
        tags,
        summary: 'Set a new password with a reset token; ends every session',
        body: ResetConfirmBody,
        response: { 200: ResetConfirmResult, ...errorResponses(422) },
      },
    },
    (request) => service.confirmPasswordReset(request.body, requestMeta(request)),
  );

  app.post(
    '/verify-email',
    {
      config: publicRoute,
      schema: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Confirm an email address with the token from the verification email',
        body: TokenBody,
        response: { 200: Type.Object({ email_verified: Type.Literal(true) }), ...errorResponses() },
      },
    },
    (request) => service.verifyEmail(request.body.token, requestMeta(request)),
  );

  app.post(
    '/verify-email/resend',
    {
      schema: {
        operationId: 'resendVerificationEmail',
        tags,
        summary: 'Send the verification email again',
        response: { 202: Accepted, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      await service.resendVerification(callerOf(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/change-password',
    {
      schema: {
        operationId: 'changePassword',
        tags,
        summary:
          'Change the password and re-wrapped key envelope together; ends the other sessions',
        body: ChangePasswordBody,
        response: { 200: RevokedCount, ...errorResponses(403, 422) },
      },
    },
    (request) => service.changePassword(callerOf(request), request.body, requestMeta(request)),
  );

  app.post(
    '/reauthenticate',
    {
      schema: {
        operationId: 'reauthenticate',
        tags,
        summary:
          'Prove it is you again (password or authenticator code) before a sensitive operation',
        description:
          'Routes that answer 401 with problem type reauthentication-required (export, account ' +
          'deletion, deletion by category, email change, turning MFA off) work in this session ' +
          'for STEP_UP_TTL_SECONDS (5 minutes by default) after this succeeds.',
        body: ReauthenticateBody,
        response: { 200: Reauthenticated, ...errorResponses(403, 409, 429) },
      },
    },
    (request) => service.reauthenticate(callerOf(request), request.body, requestMeta(request)),
  );
};
