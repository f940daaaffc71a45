// Request and response schemas of the key material: GET /v1/auth/key-params and
// /v1/users/me/key-envelopes.
import { Type } from 'typebox';
import { Timestamp } from '../../../platform/http/schemas.ts';
import { Base64 } from '../schemas.ts';

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
export const KeyEnvelope = Type.Object(
  { label: Type.String(), envelope: Type.String(), updated_at: Timestamp() },
  { $id: 'KeyEnvelope', description: 'A wrapped data key as stored (opaque to the server)' },
);

export const KeyParams = Type.Object(
  {
    kdf: Type.Literal('argon2id'),
    salt: Type.String({ description: 'base64url' }),
    memory_kib: Type.Integer(),
    iterations: Type.Integer(),
    parallelism: Type.Integer(),
  },
  {
    $id: 'KeyParams',
    description: 'How to derive the auth key and the key-encryption key from the password',
  },
);

export const KeyEnvelopeList = Type.Object(
  { items: Type.Array(KeyEnvelope) },
  { $id: 'KeyEnvelopeList' },
);
export const PutKeyEnvelopesBody = Type.Object(
  { envelopes: Type.Array(KeyEnvelopeInput, { minItems: 1, maxItems: 10 }) },
  { additionalProperties: false },
);

/** The shapes of the key material named in the OpenAPI document. */
export const keysComponents = [KeyEnvelope, KeyParams, KeyEnvelopeList];
