// Request schema of PATCH /v1/users/me (the answer is auth's User).
import { Type, type Static } from 'typebox';
import { Nullable } from '../../../platform/http/schemas.ts';
import { LanguageSchema as Language, TimeZone } from '../../auth/index.ts';

export const UpdateMeBody = Type.Object(
  {
    display_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    language_preference: Type.Optional(Language),
    time_zone: Type.Optional(TimeZone),
    country: Type.Optional(
      Nullable(
        Type.String({
          pattern: '^[A-Z]{2}$',
          description:
            'ISO 3166-1 alpha-2 (MX, ES…) for support resources; null: the country of the time zone',
        }),
      ),
    ),
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
