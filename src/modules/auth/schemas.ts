// Request and response schemas of /v1/auth, and the User and Device every account-facing
// route answers with (the users module's routes too, through index.ts).
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import { ACCOUNT_STATUSES, LANGUAGES, PLATFORMS } from './values.ts';

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
export const Base64 = (maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9+/_-]+={0,2}$', minLength: 4, maxLength });

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
  {
    $id: 'KeyParamsInput',
    description: 'Key-derivation parameters the client chose (docs/encryption.md)',
    additionalProperties: false,
  },
);

export const DeviceInput = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128 }),
    device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    platform: StringEnum(PLATFORMS),
  },
  {
    $id: 'DeviceInput',
    description: 'The device signing in (sessions and push tokens are per device)',
    additionalProperties: false,
  },
);
export type DeviceInputDto = Static<typeof DeviceInput>;

const JsonObject = Type.Object({}, { additionalProperties: true, maxProperties: 50 });

export const User = Type.Object(
  {
    id: Uuid(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    display_name: Nullable(Type.String()),
    language_preference: Language,
    time_zone: Type.String(),
    country: Nullable(
      Type.String({
        description:
          'ISO 3166-1 alpha-2: the one the person chose, else the one of their time zone (null for UTC and the like). Support resources are shown for it.',
      }),
    ),
    country_chosen: Type.Boolean({
      description: 'Whether the person chose the country (PATCH /v1/users/me)',
    }),
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
  },
  { $id: 'User', description: 'The signed-in user’s profile' },
);
export type UserDto = Static<typeof User>;

export const TokenPair = Type.Object(
  {
    user: User,
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  { $id: 'TokenPair', description: 'A session’s tokens, with the user they belong to' },
);
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

export const MfaChallenge = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_token: Type.String({
      description: 'Send it with a code to POST /v1/auth/login/mfa; single use',
    }),
    expires_in: Type.Integer({ description: 'Seconds the challenge stays valid' }),
  },
  {
    $id: 'MfaChallenge',
    description: 'Two-step sign-in is on: send a code to POST /v1/auth/login/mfa',
  },
);

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

export const ResetConfirmResult = Type.Object(
  {
    status: Type.Literal('password_reset'),
    encrypted_data: StringEnum(['readable', 'unreadable_without_recovery'], {
      description:
        'readable: the client re-wrapped the data key (from its recovery key) under the new password. ' +
        'unreadable_without_recovery: journals recorded before the reset stay encrypted under the old data key; ' +
        'the old envelope is kept as "password_previous".',
    }),
    sessions_revoked: Type.Integer(),
  },
  { $id: 'PasswordResetResult' },
);

export const TokenBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 128 }) },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password, key_envelope: Base64(4096) },
  { additionalProperties: false },
);

export const Accepted = Type.Object(
  { status: Type.Literal('accepted') },
  {
    $id: 'Accepted',
    description: 'Accepted: an email goes out (if there is anyone to send it to)',
  },
);
export const RevokedCount = Type.Object(
  { revoked: Type.Integer() },
  { $id: 'RevokedCount', description: 'How many sessions were ended' },
);

export const Session = Type.Object(
  {
    id: Uuid(),
    device_name: Nullable(Type.String()),
    platform: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    created_at: Timestamp(),
    last_used_at: Timestamp(),
    is_current: Type.Boolean(),
  },
  { $id: 'Session', description: 'A signed-in session (one per device and sign-in)' },
);
export type SessionDto = Static<typeof Session>;
export const SessionList = Type.Object({ items: Type.Array(Session) }, { $id: 'SessionList' });

export const Device = Type.Object(
  {
    id: Uuid(),
    device_id: Type.String(),
    device_name: Nullable(Type.String()),
    platform: StringEnum(PLATFORMS),
    has_push_token: Type.Boolean(),
    last_active: Timestamp(),
    is_active: Type.Boolean(),
    created_at: Timestamp(),
  },
  { $id: 'Device', description: 'A device this account signed in from' },
);
export type DeviceDto = Static<typeof Device>;

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

export const Reauthenticated = Type.Object(
  {
    reauthenticated_until: Timestamp({
      description: 'Sensitive operations are allowed in this session until then',
    }),
  },
  { $id: 'Reauthenticated' },
);

/** The shapes of /v1/auth named in the OpenAPI document (keys, MFA, security events: theirs). */
export const authComponents = [
  KeyParamsInput,
  DeviceInput,
  User,
  TokenPair,
  MfaChallenge,
  ResetConfirmResult,
  Accepted,
  RevokedCount,
  Session,
  SessionList,
  Device,
  Reauthenticated,
];
