// Request and response schemas of the auth module (/v1/auth, /v1/users/me, /v1/admin/users).
import { Type, type Static } from 'typebox';
import { Nullable, Page, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import { ACCOUNT_STATUSES, LANGUAGES, PLATFORMS } from './tables.ts';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    'At least 8 characters and not a common password (422 otherwise). Up to 128 characters for typed ' +
    'passwords; up to 1024 so that a key derived on the client (see key-params) can be sent instead.',
});
export const Language = StringEnum(LANGUAGES);
export const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. America/Bogota',
});
const Base64 = (maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9+/_-]+={0,2}$', minLength: 4, maxLength });

export const KeyEnvelopeLabel = Type.String({ pattern: '^[a-z0-9_-]{1,32}$' });
export const KeyEnvelopeInput = Type.Object(
  {
    label: KeyEnvelopeLabel,
    envelope: Base64(4096),
  },
  {
    additionalProperties: false,
    description: 'An opaque wrapped key; the server stores it and never reads it',
  },
);
export const KeyEnvelope = Type.Object({
  label: Type.String(),
  envelope: Type.String(),
  updated_at: Timestamp(),
});

export const KeyParams = Type.Object({
  kdf: Type.Literal('argon2id'),
  salt: Type.String({ description: 'base64url' }),
  memory_kib: Type.Integer(),
  iterations: Type.Integer(),
  parallelism: Type.Integer(),
});
export const KeyParamsInput = Type.Object(
  {
    salt: Type.String({
      pattern: '^[A-Za-z0-9_-]{22,88}$',
      description: 'base64url, 16 to 64 random bytes',
    }),
    memory_kib: Type.Integer({ minimum: 19456, maximum: 4_194_304 }),
    iterations: Type.Integer({ minimum: 2, maximum: 64 }),
    parallelism: Type.Integer({ minimum: 1, maximum: 16 }),
  },
  { additionalProperties: false },
);

export const DeviceInput = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128 }),
    device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    platform: StringEnum(PLATFORMS),
  },
  { additionalProperties: false },
);
export type DeviceInputDto = Static<typeof DeviceInput>;

const JsonObject = Type.Object({}, { additionalProperties: true, maxProperties: 50 });

export const User = Type.Object({
  id: Uuid(),
  email: Type.String(),
  email_verified: Type.Boolean(),
  display_name: Nullable(Type.String()),
  language_preference: Language,
  time_zone: Type.String(),
  role: StringEnum(ROLES),
  account_status: StringEnum(ACCOUNT_STATUSES),
  preferences: JsonObject,
  settings: JsonObject,
  created_at: Timestamp(),
  last_login_at: Nullable(Timestamp()),
  sign_in_alerts: Type.Boolean({
    description: 'Email me when someone signs in from a device or browser not used before',
  }),
  mfa_enabled: Type.Boolean({ description: 'Two-step sign-in with an authenticator app is on' }),
});
export type UserDto = Static<typeof User>;

export const TokenPair = Type.Object({
  user: User,
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
});
export type TokenPairDto = Static<typeof TokenPair>;

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    language_preference: Language,
    time_zone: TimeZone,
    key_envelope: Type.Optional(Base64(4096)),
    key_params: Type.Optional(KeyParamsInput),
    device: Type.Optional(DeviceInput),
  },
  { additionalProperties: false },
);
export type RegisterInput = Static<typeof RegisterBody>;

export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'Six digits' });
export const RecoveryCode = Type.String({
  pattern: '^[A-Za-z0-9-]{10,16}$',
  description: 'One of the recovery codes shown at enrolment (hyphens optional)',
});

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Password,
    device: Type.Optional(DeviceInput),
    restore_account: Type.Optional(
      Type.Boolean({
        description:
          'The account is scheduled for deletion and its owner wants to keep it: cancels the deletion',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MfaChallenge = Type.Object({
  mfa_required: Type.Literal(true),
  mfa_token: Type.String({
    description: 'Send it with a code to POST /v1/auth/login/mfa; single use',
  }),
  expires_in: Type.Integer({ description: 'Seconds the challenge stays valid' }),
});

export type MfaChallengeDto = Static<typeof MfaChallenge>;

export const LoginMfaBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 20, maxLength: 128 }),
    code: Type.Optional(TotpCode),
    recovery_code: Type.Optional(RecoveryCode),
  },
  {
    additionalProperties: false,
    description: 'The challenge token and exactly one of code or recovery_code',
  },
);
export type LoginMfaInput = Static<typeof LoginMfaBody>;

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'Base32; for apps that cannot scan the QR code' }),
  otpauth_uri: Type.String({ description: 'Show as a QR code for the authenticator app' }),
});
export const MfaStatus = Type.Object({
  enabled: Type.Boolean(),
  enabled_at: Nullable(Timestamp()),
  recovery_codes_left: Type.Integer({ minimum: 0 }),
});
export const RecoveryCodes = Type.Object({
  recovery_codes: Type.Array(Type.String(), {
    description: 'Shown once; each works once. Keep them somewhere safe.',
  }),
});
export const MfaEnabled = Type.Object({
  enabled: Type.Literal(true),
  recovery_codes: RecoveryCodes.properties.recovery_codes,
});
export const CodeBody = Type.Object({ code: TotpCode }, { additionalProperties: false });

export const ChangeEmailBody = Type.Object({ new_email: Email }, { additionalProperties: false });
export type LoginInput = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 20, maxLength: 128 }) },
  { additionalProperties: false },
);

export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });

export const ResetConfirmBody = Type.Object(
  {
    token: Type.String({ minLength: 20, maxLength: 128 }),
    new_password: Password,
    key_envelope: Type.Optional(Base64(4096)),
  },
  { additionalProperties: false },
);

export const ResetConfirmResult = Type.Object({
  status: Type.Literal('password_reset'),
  encrypted_data: StringEnum(['readable', 'unreadable_without_recovery'], {
    description:
      'readable: the client re-wrapped the data key (from its recovery key) under the new password. ' +
      'unreadable_without_recovery: journals recorded before the reset stay encrypted under the old data key; ' +
      'the old envelope is kept as "password_previous".',
  }),
  sessions_revoked: Type.Integer(),
});

export const TokenBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 128 }) },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password, key_envelope: Base64(4096) },
  { additionalProperties: false },
);

export const Accepted = Type.Object({ status: Type.Literal('accepted') });
export const RevokedCount = Type.Object({ revoked: Type.Integer() });

export const Session = Type.Object({
  id: Uuid(),
  device_name: Nullable(Type.String()),
  platform: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  created_at: Timestamp(),
  last_used_at: Timestamp(),
  is_current: Type.Boolean(),
});
export type SessionDto = Static<typeof Session>;
export const SessionList = Type.Object({ items: Type.Array(Session) });

export const UpdateMeBody = Type.Object(
  {
    display_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    language_preference: Type.Optional(Language),
    time_zone: Type.Optional(TimeZone),
    preferences: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          maxProperties: 50,
          description: 'Merged key by key; null removes a key',
        },
      ),
    ),
    sign_in_alerts: Type.Optional(Type.Boolean()),
    settings: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          maxProperties: 50,
          description: 'Merged key by key; null removes a key',
        },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMeInput = Static<typeof UpdateMeBody>;

export const Device = Type.Object({
  id: Uuid(),
  device_id: Type.String(),
  device_name: Nullable(Type.String()),
  platform: StringEnum(PLATFORMS),
  has_push_token: Type.Boolean(),
  last_active: Timestamp(),
  is_active: Type.Boolean(),
  created_at: Timestamp(),
});
export type DeviceDto = Static<typeof Device>;
export const DeviceList = Type.Object({ items: Type.Array(Device) });
export const DeviceIdParams = Type.Object(
  {
    device_id: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The id the app sent at sign-in',
    }),
  },
  { additionalProperties: false },
);
export const PushTokenBody = Type.Object(
  {
    push_token: Type.String({ minLength: 20, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$' }),
    platform: StringEnum(['ios', 'android', 'web']),
  },
  { additionalProperties: false },
);
export type PushTokenInput = Static<typeof PushTokenBody>;

export const KeyEnvelopeList = Type.Object({ items: Type.Array(KeyEnvelope) });
export const PutKeyEnvelopesBody = Type.Object(
  { envelopes: Type.Array(KeyEnvelopeInput, { minItems: 1, maxItems: 10 }) },
  { additionalProperties: false },
);

export const SecurityEvent = Type.Object({
  id: Uuid(),
  type: Type.String(),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  metadata: Type.Object({}, { additionalProperties: true }),
  created_at: Timestamp(),
});
export type SecurityEventDto = Static<typeof SecurityEvent>;
export const SecurityEventPage = Page(SecurityEvent);

export const ReauthenticateBody = Type.Object(
  {
    password: Type.Optional(Password),
    code: Type.Optional(TotpCode),
  },
  {
    additionalProperties: false,
    description: 'Exactly one of password or code (from the authenticator app, when MFA is on)',
  },
);
export type ReauthenticateInput = Static<typeof ReauthenticateBody>;

export const Reauthenticated = Type.Object({
  reauthenticated_until: Timestamp({
    description: 'Sensitive operations are allowed in this session until then',
  }),
});

export const AdminUser = Type.Object({
  id: Uuid(),
  email: Type.String(),
  email_verified: Type.Boolean(),
  role: StringEnum(ROLES),
  account_status: StringEnum(ACCOUNT_STATUSES),
  created_at: Timestamp(),
  last_login_at: Nullable(Timestamp()),
  purge_after: Nullable(
    Timestamp({ description: 'pending_deletion: when the account is purged unless restored' }),
  ),
});
export type AdminUserDto = Static<typeof AdminUser>;
export const AdminUserPage = Page(AdminUser);
export const AdminUpdateBody = Type.Object(
  {
    role: Type.Optional(StringEnum(ROLES)),
    // Only the owner asks for a deletion (DELETE /v1/users/me), and only they cancel it.
    account_status: Type.Optional(StringEnum(['active', 'locked'] as const)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const AdminUserQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    email: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Prefix match' }),
    ),
  },
  { additionalProperties: false },
);
