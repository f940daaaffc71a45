// Request and response schemas of /v1/auth/mfa.
import { Type } from 'typebox';
import { Nullable, Timestamp } from '../../../platform/http/schemas.ts';
import { TotpCode } from '../schemas.ts';

export const TotpEnrolment = Type.Object(
  {
    secret: Type.String({ description: 'Base32; for apps that cannot scan the QR code' }),
    otpauth_uri: Type.String({ description: 'Show as a QR code for the authenticator app' }),
  },
  { $id: 'TotpEnrollment' },
);
export const MfaStatus = Type.Object(
  {
    enabled: Type.Boolean(),
    enabled_at: Nullable(Timestamp()),
    recovery_codes_left: Type.Integer({ minimum: 0 }),
  },
  { $id: 'MfaStatus' },
);
export const RecoveryCodes = Type.Object(
  {
    recovery_codes: Type.Array(Type.String(), {
      description: 'Shown once; each works once. Keep them somewhere safe.',
    }),
  },
  { $id: 'RecoveryCodes' },
);
export const MfaEnabled = Type.Object(
  {
    enabled: Type.Literal(true),
    recovery_codes: RecoveryCodes.properties.recovery_codes,
  },
  { $id: 'MfaEnabled' },
);
export const CodeBody = Type.Object({ code: TotpCode }, { additionalProperties: false });

/** The shapes of /v1/auth/mfa named in the OpenAPI document. */
export const mfaComponents = [TotpEnrolment, MfaStatus, RecoveryCodes, MfaEnabled];
