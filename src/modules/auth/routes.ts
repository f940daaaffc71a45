// HTTP routes of /v1/auth: registration, signing in, passwords, email verification and
// re-authentication (sessions are in sessions/routes.ts, MFA in mfa/routes.ts, key
// parameters in keys/routes.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses, json } from '../../platform/http/responses.ts';
import { bodyExamples } from '../../platform/http/openapi/operation-docs.ts';
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
import {
  changePasswordExamples,
  emailExamples,
  loginExamples,
  loginMfaExamples,
  loginResultExamples,
  reauthenticateExamples,
  registerExamples,
  resetConfirmExamples,
  tokenExamples,
  tokenPairExamples,
} from './examples.ts';

const tags = ['auth'];
const publicRoute = { public: true } as const;
const verified = Type.Object(
  { email_verified: Type.Literal(true) },
  { description: 'The address is confirmed' },
);

export const authRoutes: FastifyPluginAsyncTypebox<{ service: AuthService }> = async (
  app,
  { service },
) => {
  app.post(
    '/register',
    {
      config: {
        ...publicRoute,
        openapi: { bodyExamples: bodyExamples(RegisterBody, registerExamples) },
      },
      schema: {
        operationId: 'register',
        tags,
        summary: 'Create an account; sends a verification email',
        description:
          'With end-to-end encryption (what the SDK does, docs/encryption.md): ask GET ' +
          '/v1/auth/key-params?email= first, or choose `key_params` (a new random salt); derive ' +
          '64 bytes with Argon2id(password, salt); send the first half (base64url) as ' +
          '`password` and keep the second (the key-encryption key) on the device; make a ' +
          'random data key and send it wrapped under that key as `key_envelope`. Answers the ' +
          'first token pair, signed in. An email taken is a 409 email-taken; a weak password a ' +
          '422. At most 20 sign-ups an hour from one address (429).',
        body: RegisterBody,
        response: {
          201: json('The account is created and signed in', TokenPair, {
            examples: tokenPairExamples,
          }),
          ...errorResponses(409, 422),
        },
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
      config: { ...publicRoute, openapi: { bodyExamples: bodyExamples(LoginBody, loginExamples) } },
      schema: {
        operationId: 'login',
        tags,
        summary: 'Sign in',
        body: LoginBody,
        description:
          'Send the auth key derived on the device as `password` (see POST /v1/auth/register), ' +
          'and the device, so that its sessions and push token are kept together. With ' +
          'two-step sign-in on, the answer is an MFA challenge instead of tokens: send its ' +
          'mfa_token with a code to POST /v1/auth/login/mfa. A wrong email or password is a ' +
          '401 (the same for both); a locked account a 403. An account scheduled for deletion ' +
          'answers 409 account-deletion-pending unless restore_account is true. Failed attempts ' +
          'are limited per address and email (5 a minute) and per address (30 a minute): 429 ' +
          'with Retry-After.',
        response: {
          200: json(
            'Signed in (a token pair), or a challenge for a second step (mfa_required)',
            Type.Union([TokenPair, MfaChallenge]),
            { examples: loginResultExamples },
          ),
          ...errorResponses(401, 403, 409),
        },
      },
    },
    (request) => service.login(request.body, requestMeta(request)),
  );

  app.post(
    '/login/mfa',
    {
      config: {
        ...publicRoute,
        openapi: { bodyExamples: bodyExamples(LoginMfaBody, loginMfaExamples) },
      },
      schema: {
        operationId: 'completeMfaLogin',
        tags,
        summary:
          'Second sign-in step: the MFA challenge token and an authenticator or recovery code',
        description:
          'The challenge is valid for 5 minutes and a few attempts; a wrong code is a 403 ' +
          'mfa-code-incorrect. A recovery code works once.',
        body: LoginMfaBody,
        response: {
          200: json('Signed in', TokenPair, { examples: tokenPairExamples }),
          ...errorResponses(401, 403, 409),
        },
      },
    },
    (request) => service.loginWithMfa(request.body, requestMeta(request)),
  );

  app.post(
    '/reset-password',
    {
      config: { ...publicRoute, openapi: { bodyExamples: bodyExamples(EmailBody, emailExamples) } },
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        summary: 'Send a password reset link (always 202, whether or not the account exists)',
        description:
          'The answer does not tell whether the address has an account. Limited per address ' +
          'and per email (429).',
        body: EmailBody,
        response: {
          202: json('Accepted; an email goes out if the account exists', Accepted),
          ...errorResponses(),
        },
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
      config: {
        ...publicRoute,
        openapi: { bodyExamples: bodyExamples(ResetConfirmBody, resetConfirmExamples) },
      },
      schema: {
        operationId: 'confirmPasswordReset',
        tags,
        summary: 'Set a new password with a reset token; ends every session',
        description:
          'The new password cannot open the old data key. A client holding the recovery key ' +
          'unwraps the data key with it and sends it wrapped under the new key-encryption key ' +
          '(`key_envelope`): recordings stay readable. Without it, recordings made before stay ' +
          'encrypted under the old data key (docs/encryption.md, recovery).',
        body: ResetConfirmBody,
        response: {
          200: json('The password is changed and every session ended', ResetConfirmResult),
          ...errorResponses(422),
        },
      },
    },
    (request) => service.confirmPasswordReset(request.body, requestMeta(request)),
  );

  app.post(
    '/verify-email',
    {
      config: { ...publicRoute, openapi: { bodyExamples: bodyExamples(TokenBody, tokenExamples) } },
      schema: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Confirm an email address with the token from the verification email',
        description: 'An unknown, used or expired token is a 400 action-token-invalid.',
        body: TokenBody,
        response: { 200: json('The address is confirmed', verified), ...errorResponses() },
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
        description: 'At most 3 an hour (429). Already verified: 409 email-already-verified.',
        response: { 202: json('Accepted; the email goes out', Accepted), ...errorResponses(409) },
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
      config: {
        openapi: { bodyExamples: bodyExamples(ChangePasswordBody, changePasswordExamples) },
      },
      schema: {
        operationId: 'changePassword',
        tags,
        summary:
          'Change the password and re-wrapped key envelope together; ends the other sessions',
        description:
          'Derive the new auth key and key-encryption key on the device (same salt), unwrap ' +
          'the data key with the old one and wrap it under the new: `key_envelope` replaces ' +
          'the password envelope in the same transaction (docs/encryption.md). A wrong ' +
          'current password is a 403 password-incorrect (5 tries in 15 minutes, then 429).',
        body: ChangePasswordBody,
        response: {
          200: json('Changed; answers how many other sessions ended', RevokedCount),
          ...errorResponses(403, 422),
        },
      },
    },
    (request) => service.changePassword(callerOf(request), request.body, requestMeta(request)),
  );

  app.post(
    '/reauthenticate',
    {
      config: {
        openapi: { bodyExamples: bodyExamples(ReauthenticateBody, reauthenticateExamples) },
      },
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
        response: {
          200: json(
            'Sensitive operations are allowed until reauthenticated_until',
            Reauthenticated,
          ),
          ...errorResponses(403, 409, 429),
        },
      },
    },
    (request) => service.reauthenticate(callerOf(request), request.body, requestMeta(request)),
  );
};
