// Examples of /v1/auth and of the account for the OpenAPI document (checked against their
// schemas by the compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import type { Static } from 'typebox';
import {
  emma,
  exampleIds,
  keyEnvelopes,
  lucia,
} from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type {
  ChangePasswordBody,
  DeviceDto,
  EmailBody,
  LoginInput,
  LoginMfaInput,
  MfaChallengeDto,
  ReauthenticateInput,
  RefreshBody,
  RegisterInput,
  ResetConfirmBody,
  SessionDto,
  TokenBody,
  TokenPairDto,
  UserDto,
} from './schemas.ts';
import type { KeyParams, PutKeyEnvelopesBody } from './keys/schemas.ts';
import type { CodeBody } from './mfa/schemas.ts';

/**
 * What the SDK sends as the password: the auth key, the first half of Argon2id(password,
 * salt) in base64url (docs/encryption.md), never the password the person typed.
 */
const luciaAuthKey = 'yV3u0fZ1r6Qm8T2nL4kW9pA7cE5hJ1sD0gB3xN6vR8o';
const emmaAuthKey = 'Qd7kP2wX9mL4tR1vN8bF6hS3jC0gY5zA2eU7iO9nK4q';

export const luciaUser: UserDto = {
  id: lucia.id,
  email: lucia.email,
  email_verified: true,
  display_name: lucia.display_name,
  language_preference: lucia.language,
  time_zone: lucia.time_zone,
  country: 'MX',
  country_chosen: false,
  role: 'user',
  account_status: 'active',
  preferences: { theme: 'light' },
  settings: { haptics: true },
  created_at: '2026-01-12T02:31:08.000Z',
  last_login_at: '2026-03-09T13:58:41.000Z',
  sign_in_alerts: true,
  mfa_enabled: false,
};

export const emmaUser: UserDto = {
  id: emma.id,
  email: emma.email,
  email_verified: true,
  display_name: emma.display_name,
  language_preference: emma.language,
  time_zone: emma.time_zone,
  country: 'ES',
  country_chosen: false,
  role: 'user',
  account_status: 'active',
  preferences: {},
  settings: {},
  created_at: '2025-11-03T19:02:55.000Z',
  last_login_at: '2026-03-09T20:40:12.000Z',
  sign_in_alerts: true,
  mfa_enabled: true,
};

export const userExamples: Examples<UserDto> = {
  lucia: { summary: 'Lucía, in Mexico City, uses the app in Spanish', value: luciaUser },
  emma: { summary: 'Emma, in Madrid, uses the app in English', value: emmaUser },
};

const tokens = {
  access_token:
    'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiIzYzU4NzhhYS1hODliLTRhMTMtYTVjYS0zMjdjNzBmYjNkZGYiLCJzaWQiOiIyNDVhNmY5ZS0wOTU2LTRkYmMtYjkzZC1lNWU1MDQzYjEyNGEiLCJleHAiOjE3NzMwNjg4MjF9.c2lnbmF0dXJlLW9mLXRoZS1zaWduaW5nLWtleQ',
  refresh_token: 'r8Vq2mXb4Lk9Tz1Wn6Pc3Hs7Jd0Fy5Ga8Ue2Qo4Ri1',
  token_type: 'bearer' as const,
  expires_in: 900,
};

export const tokenPairExamples: Examples<TokenPairDto> = {
  lucia: { summary: 'Lucía is signed in', value: { user: luciaUser, ...tokens } },
};

export const mfaChallengeExample: MfaChallengeDto = {
  mfa_required: true,
  mfa_token: 'm4Fz8Qw2Lp7Xc1Vb9Nk3Hj6Td0Sg5Ry2Ue8Io4Pa7',
  expires_in: 300,
};

export const loginResultExamples: Examples<TokenPairDto | MfaChallengeDto> = {
  tokens: { summary: 'Signed in', value: { user: luciaUser, ...tokens } },
  mfa: {
    summary: 'Emma has two-step sign-in on: a code is needed',
    value: mfaChallengeExample,
  },
};

export const registerExamples: Examples<RegisterInput> = {
  lucia: {
    summary: 'Lucía signs up on her iPhone (the SDK derived her keys first)',
    value: {
      email: lucia.email,
      password: luciaAuthKey,
      display_name: lucia.display_name,
      language_preference: lucia.language,
      time_zone: lucia.time_zone,
      key_envelope: keyEnvelopes.luciaDataKey,
      key_params: {
        salt: 'w3CBOo0OG8HXxzcUpCPTuA',
        memory_kib: 65536,
        iterations: 3,
        parallelism: 1,
      },
      device: {
        device_id: 'C2F1B7A4-8E3D-4B9A-9F21-6D0E5A7C3B18',
        device_name: 'iPhone de Lucía',
        platform: 'ios',
      },
    },
  },
  emma: {
    summary: 'Emma signs up in the browser, with a typed password',
    value: {
      email: emma.email,
      password: 'correct horse battery staple',
      language_preference: emma.language,
      time_zone: emma.time_zone,
    },
  },
};

export const loginExamples: Examples<LoginInput> = {
  lucia: {
    summary: 'Lucía signs in on her phone',
    value: {
      email: lucia.email,
      password: luciaAuthKey,
      device: {
        device_id: 'C2F1B7A4-8E3D-4B9A-9F21-6D0E5A7C3B18',
        device_name: 'iPhone de Lucía',
        platform: 'ios',
      },
    },
  },
  emma: {
    summary: 'Emma signs in on her Android phone',
    value: {
      email: emma.email,
      password: emmaAuthKey,
      device: { device_id: 'a91f3c07d2b64e58', device_name: 'Pixel 8', platform: 'android' },
    },
  },
};

export const loginMfaExamples: Examples<LoginMfaInput> = {
  code: {
    summary: 'The code of the authenticator app',
    value: { mfa_token: mfaChallengeExample.mfa_token, code: '492817' },
  },
  recovery: {
    summary: 'A recovery code, when the phone is lost',
    value: { mfa_token: mfaChallengeExample.mfa_token, recovery_code: 'k7p2-9xq4-m3tz' },
  },
};

export const refreshExamples: Examples<Static<typeof RefreshBody>> = {
  refresh: {
    summary: 'The refresh token of the pair',
    value: { refresh_token: tokens.refresh_token },
  },
};

export const emailExamples: Examples<Static<typeof EmailBody>> = {
  lucia: { summary: 'Lucía forgot her password', value: { email: lucia.email } },
};

export const resetConfirmExamples: Examples<Static<typeof ResetConfirmBody>> = {
  withRecovery: {
    summary: 'With the data key re-wrapped from the recovery key: journals stay readable',
    value: {
      token: 'Xq9Lm2Vb7Nc4Kd1Pf8Hs3Jt6Rg0Wy5Ze2Ua7Ib4Oc9',
      new_password: luciaAuthKey,
      key_envelope: keyEnvelopes.luciaDataKey,
    },
  },
};

export const tokenExamples: Examples<Static<typeof TokenBody>> = {
  emailed: {
    summary: 'The token from the link in the email',
    value: { token: 'Xq9Lm2Vb7Nc4Kd1Pf8Hs3Jt6Rg0Wy5Ze2Ua7Ib4Oc9' },
  },
};

export const changePasswordExamples: Examples<Static<typeof ChangePasswordBody>> = {
  emma: {
    summary: 'The new auth key and the data key re-wrapped under the new KEK',
    value: {
      current_password: emmaAuthKey,
      new_password: 'Zt5Rk8Wm1Qx4Lc7Vn0Pb3Hd6Jf9Gs2Ya5Ue8Io1Kq',
      key_envelope: keyEnvelopes.emmaDataKey,
    },
  },
};

export const reauthenticateExamples: Examples<ReauthenticateInput> = {
  password: { summary: 'With the password (its auth key)', value: { password: luciaAuthKey } },
  code: { summary: 'With the authenticator app, when MFA is on', value: { code: '492817' } },
};

export const codeExamples: Examples<Static<typeof CodeBody>> = {
  first: { summary: 'The first code the app shows', value: { code: '492817' } },
};

export const keyParamsExamples: Examples<Static<typeof KeyParams>> = {
  lucia: {
    summary: 'Lucía’s parameters (an unknown email gets the same shape)',
    value: {
      kdf: 'argon2id',
      salt: 'w3CBOo0OG8HXxzcUpCPTuA',
      memory_kib: 65536,
      iterations: 3,
      parallelism: 1,
    },
  },
};

export const putKeyEnvelopesExamples: Examples<Static<typeof PutKeyEnvelopesBody>> = {
  recovery: {
    summary: 'Lucía stores her data key wrapped under her recovery key',
    value: { envelopes: [{ label: 'recovery', envelope: keyEnvelopes.luciaRecoveryKey }] },
  },
};

export const sessionExample: SessionDto = {
  id: exampleIds.session,
  device_name: 'iPhone de Lucía',
  platform: 'ios',
  ip: '189.203.45.17',
  user_agent: 'Amira/2.4.0 (iPhone; iOS 19.3)',
  created_at: '2026-01-12T02:31:08.000Z',
  last_used_at: '2026-03-09T13:58:41.000Z',
  is_current: true,
};

export const deviceExamples: Examples<DeviceDto> = {
  lucia: {
    summary: 'Lucía’s iPhone, with a push token',
    value: {
      id: exampleIds.luciaDevice,
      device_id: 'C2F1B7A4-8E3D-4B9A-9F21-6D0E5A7C3B18',
      device_name: 'iPhone de Lucía',
      platform: 'ios',
      has_push_token: true,
      last_active: '2026-03-09T13:58:41.000Z',
      is_active: true,
      created_at: '2026-01-12T02:31:08.000Z',
    },
  },
};
