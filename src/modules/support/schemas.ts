// Schemas of /v1/support: the content file (content/support/resources.json) and the answer.
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum } from '../../platform/http/schemas.ts';
import { LanguageSchema as Language } from '../auth/index.ts';

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, upper case (MX, ES, US…)',
});

const Bilingual = Type.Object({
  es: Type.String({ minLength: 1 }),
  en: Type.String({ minLength: 1 }),
});
/** A language a line answers in (ISO 639-1): any, not only the app's two. */
const LanguageTag = Type.String({ pattern: '^[a-z]{2}$' });
const Source = Type.String({ pattern: '^https?://', description: 'Where the number was checked' });

/** content/support/resources.json, checked when it is read. */
export const SupportContent = Type.Object({
  $comment: Type.Optional(Type.String()),
  checked_on: Type.String({ format: 'date' }),
  countries: Type.Record(
    Type.String({ pattern: '^[A-Z]{2}$' }),
    Type.Object({
      emergency: Type.Object({
        number: Type.String({ minLength: 2 }),
        other_numbers: Type.Optional(Type.Array(Type.String())),
        source_url: Source,
      }),
      resources: Type.Array(
        Type.Object({
          id: Type.String({ pattern: '^[a-z]{2}-[a-z0-9-]+$' }),
          name: Bilingual,
          phone: Type.String({ minLength: 2 }),
          other_phones: Type.Optional(Type.Array(Type.String())),
          sms: Nullable(Type.String()),
          always_open: Type.Boolean(),
          languages: Type.Array(LanguageTag),
          description: Bilingual,
          source_url: Source,
        }),
        { minItems: 1 },
      ),
    }),
  ),
});
export type SupportContent = Static<typeof SupportContent>;

export const SupportQuery = Type.Object(
  {
    country: CountryCode,
    lang: Type.Optional(Language),
  },
  { additionalProperties: false },
);

export const SupportResource = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    phone: Type.String({ description: 'As people dial it in that country' }),
    other_phones: Type.Array(Type.String()),
    sms: Nullable(Type.String({ description: 'A number that takes text messages, if any' })),
    always_open: Type.Boolean({ description: 'Open every day, at any hour' }),
    languages: Type.Array(LanguageTag, {
      description: 'Languages the line answers in (ISO 639-1)',
    }),
    description: Type.String(),
    source_url: Type.String({ description: 'The public page the number was checked on' }),
  },
  { $id: 'SupportResource' },
);

export const SupportResources = Type.Object(
  {
    country: Type.String(),
    language: StringEnum(['es', 'en']),
    checked_on: Type.String({ format: 'date', description: 'When the numbers were last checked' }),
    message: Type.String({ description: 'A kind sentence to show above the numbers' }),
    emergency: Nullable(
      Type.Object({
        number: Type.String(),
        other_numbers: Type.Array(Type.String()),
        source_url: Type.String(),
      }),
    ),
    resources: Type.Array(SupportResource),
    countries_covered: Type.Array(Type.String(), {
      description: 'Countries with checked numbers (the app can offer to switch)',
    }),
  },
  { $id: 'SupportResources' },
);
export type SupportResourcesDto = Static<typeof SupportResources>;

export const supportComponents = [SupportResource, SupportResources] as const;
