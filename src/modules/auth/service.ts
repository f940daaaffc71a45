// The auth service: the use cases of /v1/auth, each in a file of its own, composed here for
// the routes and the CLI. Sessions (sessions/service.ts), MFA (mfa/service.ts) and the key
// material (keys/service.ts) are services of their own.
import type { AuthServiceDeps } from './deps.ts';
import { createRegistration } from './registration.ts';
import { createSignIn } from './sign-in.ts';
import { createReauthentication } from './reauthentication.ts';
import { createPasswordChange } from './password-change.ts';
import { createPasswordReset } from './password-reset.ts';
import { createEmailVerification } from './email-verification.ts';

export type { AuthLimits, AuthServiceDeps } from './deps.ts';

export function createAuthService(deps: AuthServiceDeps) {
  const reauthentication = createReauthentication(deps);
  return {
    /** register, createAdmin */
    ...createRegistration(deps),
    /** login, loginWithMfa */
    ...createSignIn(deps),
    /** verifyPassword, reauthenticate */
    ...reauthentication,
    /** changePassword */
    ...createPasswordChange(deps, reauthentication),
    /** requestPasswordReset, confirmPasswordReset */
    ...createPasswordReset(deps),
    /** verifyEmail, resendVerification */
    ...createEmailVerification(deps),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
