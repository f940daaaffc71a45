// Request and response schemas of /v1/emotions.
import { Type, type Static } from 'typebox';
import {
  EncryptedText,
  Nullable,
  Page,
  StringEnum,
  Timestamp,
  Uuid,
} from '../../platform/http/schemas.ts';
import { CHECKIN_CONTEXTS, EMOTION_CATEGORIES } from './values.ts';

/** A text in both languages of the app. */
export const Bilingual = Type.Object(
  { es: Type.String(), en: Type.String() },
  { $id: 'BilingualText', description: 'The same text in Spanish and English' },
);
const LocalDate = (description: string) => Type.String({ format: 'date', description });
const EmotionTypeId = Type.Integer({ minimum: 1, maximum: 32767 });
const Intensity = Type.Integer({ minimum: 1, maximum: 10 });

export const EmotionType = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    name: Bilingual,
    description: Bilingual,
    category: StringEnum(EMOTION_CATEGORIES),
    valence: Type.Number({
      minimum: -1,
      maximum: 1,
      description: 'Pleasantness (Russell circumplex)',
    }),
    arousal: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Activation (Russell circumplex)',
    }),
    color: Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' }),
  },
  { $id: 'EmotionType', description: 'An emotion of the catalog' },
);
export type EmotionTypeDto = Static<typeof EmotionType>;
export const EmotionTypeList = Type.Object(
  { items: Type.Array(EmotionType) },
  { $id: 'EmotionTypeList', description: 'The whole emotion catalog' },
);

/** Bytes of UTF-8 a check-in's notes may hold (1,000 characters of any script). */
export const NOTES_MAX_BYTES = 4000;

const checkinFields = {
  id: Type.Optional(
    Uuid({
      description:
        "The check-in's id, chosen on the device (a random UUID): required with notes, whose " +
        'envelope is bound to it. Default: the server makes one.',
    }),
  ),
  emotion_type_id: EmotionTypeId,
  intensity: Intensity,
  context: StringEnum(CHECKIN_CONTEXTS),
  notes: Type.Optional(EncryptedText(NOTES_MAX_BYTES, 'What the person wrote about it')),
  related_journal_id: Type.Optional(Uuid()),
  related_tool_id: Type.Optional(Uuid()),
};

export const CreateCheckinBody = Type.Object(
  {
    ...checkinFields,
    created_at: Type.Optional(
      Timestamp({ description: 'When it happened: not in the future, at most 30 days back' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateCheckinInput = Static<typeof CreateCheckinBody>;

export const NotesBody = Type.Object(
  { notes: Nullable(EncryptedText(NOTES_MAX_BYTES, 'What the person wrote about it')) },
  { additionalProperties: false },
);

export const BatchItem = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' }),
    ...checkinFields,
    created_at: Timestamp({
      description: 'When it happened (required in batches: it identifies the item with client_id)',
    }),
  },
  { additionalProperties: false },
);
export type BatchItemInput = Static<typeof BatchItem>;
export const BatchBody = Type.Object(
  { items: Type.Array(BatchItem, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);

export const Checkin = Type.Object(
  {
    id: Uuid(),
    emotion_type_id: Type.Integer(),
    intensity: Type.Integer(),
    context: StringEnum(CHECKIN_CONTEXTS),
    notes: Nullable(
      Type.String({
        description:
          'A text envelope (docs/encryption.md); plaintext only while `plaintext_fields` names it',
      }),
    ),
    plaintext_fields: Type.Array(StringEnum(['notes']), {
      description:
        'Fields still held in plaintext, written before text was encrypted end to end: the SDK ' +
        're-encrypts them (PUT /v1/emotions/{id}/notes)',
    }),
    related_journal_id: Nullable(Uuid()),
    related_tool_id: Nullable(Uuid()),
    client_id: Nullable(Type.String()),
    created_at: Timestamp(),
    local_date: Type.String({
      format: 'date',
      description: "The user's calendar day when it happened",
    }),
  },
  { $id: 'Checkin', description: 'An emotional check-in: how the person felt, and when' },
);
export type CheckinDto = Static<typeof Checkin>;
export const CheckinPage = Page(Checkin, 'CheckinPage');

export const BatchResult = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        client_id: Type.String(),
        status: StringEnum(['created', 'duplicate', 'rejected']),
        id: Nullable(Uuid()),
        error: Nullable(Type.Object({ code: Type.String(), detail: Type.String() })),
      }),
    ),
  },
  { $id: 'CheckinBatchResult', description: 'What became of each item of a batch, in order' },
);
export type BatchResultDto = Static<typeof BatchResult>;

export const FilterBody = Type.Object(
  {
    from: Type.Optional(LocalDate('First local day, inclusive')),
    to: Type.Optional(LocalDate('Last local day, inclusive')),
    emotion_type_ids: Type.Optional(
      Type.Array(EmotionTypeId, { minItems: 1, maxItems: 50, uniqueItems: true }),
    ),
    categories: Type.Optional(
      Type.Array(StringEnum(EMOTION_CATEGORIES), { minItems: 1, uniqueItems: true }),
    ),
    intensity_min: Type.Optional(Intensity),
    intensity_max: Type.Optional(Intensity),
    contexts: Type.Optional(
      Type.Array(StringEnum(CHECKIN_CONTEXTS), { minItems: 1, uniqueItems: true }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type FilterInput = Static<typeof FilterBody>;

export const RangeQuery = Type.Object(
  {
    from: Type.Optional(LocalDate('First local day (default: 29 days before to)')),
    to: Type.Optional(LocalDate("Last local day (default: the user's today)")),
  },
  { additionalProperties: false },
);
export type RangeInput = Static<typeof RangeQuery>;

export const Distribution = Type.Object(
  {
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    total: Type.Integer(),
    emotions: Type.Array(
      Type.Object({
        emotion_type_id: Type.Integer(),
        count: Type.Integer(),
        share: Type.Number(),
        mean_intensity: Type.Number(),
      }),
    ),
    categories: Type.Array(
      Type.Object({
        category: StringEnum(EMOTION_CATEGORIES),
        count: Type.Integer(),
        share: Type.Number(),
      }),
    ),
  },
  { $id: 'EmotionDistribution' },
);
export type DistributionDto = Static<typeof Distribution>;

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];
export const TrendsBody = Type.Object(
  {
    period: StringEnum(PERIODS),
    from: LocalDate('First local day'),
    to: LocalDate('Last local day'),
    emotion_type_ids: Type.Optional(
      Type.Array(EmotionTypeId, { minItems: 1, maxItems: 50, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type TrendsInput = Static<typeof TrendsBody>;

export const DIRECTIONS = ['improving', 'stable', 'declining', 'insufficient_data'] as const;
export const Trends = Type.Object(
  {
    period: StringEnum(PERIODS),
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    buckets: Type.Array(
      Type.Object({
        start: Type.String({ format: 'date' }),
        count: Type.Integer(),
        mean_intensity: Nullable(Type.Number()),
        mean_valence: Nullable(Type.Number()),
        dominant_emotion_type_id: Nullable(Type.Integer()),
      }),
    ),
    direction: Type.Object({
      label: StringEnum(DIRECTIONS),
      slope_per_day: Nullable(
        Type.Number({ description: 'Change of intensity-weighted valence per day' }),
      ),
      confidence: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
      sample_size: Type.Integer(),
      days_with_data: Type.Integer(),
    }),
  },
  { $id: 'EmotionTrends' },
);
export type TrendsDto = Static<typeof Trends>;

const Shift = Type.Object(
  {
    count: Type.Integer(),
    mean_valence_change: Nullable(Type.Number()),
    mean_intensity_change: Nullable(Type.Number()),
    mean_affect_change: Nullable(
      Type.Number({ description: 'Change of valence × intensity / 10' }),
    ),
  },
  { $id: 'ShiftSummary', description: 'How check-ins changed from before to after, on average' },
);
export type ShiftDto = Static<typeof Shift>;
const Profile = Type.Object(
  {
    count: Type.Integer(),
    mean_valence: Nullable(Type.Number()),
    mean_intensity: Nullable(Type.Number()),
    dominant_emotion_type_id: Nullable(Type.Integer()),
  },
  { $id: 'EmotionProfile', description: 'The check-ins of one slot of the week or the day' },
);
export const TIME_OF_DAY = ['night', 'morning', 'afternoon', 'evening'] as const;
export const PatternsBody = Type.Object(
  {
    from: Type.Optional(LocalDate('First local day')),
    to: Type.Optional(LocalDate('Last local day')),
  },
  { additionalProperties: false },
);
export const Patterns = Type.Object(
  {
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    day_of_week: Type.Array(
      Type.Intersect([Type.Object({ iso_day: Type.Integer({ minimum: 1, maximum: 7 }) }), Profile]),
    ),
    time_of_day: Type.Array(
      Type.Intersect([Type.Object({ part: StringEnum(TIME_OF_DAY) }), Profile]),
    ),
    recurring_emotions: Type.Array(
      Type.Object({
        emotion_type_id: Type.Integer(),
        count: Type.Integer(),
        share: Type.Number(),
        days: Type.Integer(),
        usual_time_of_day: StringEnum(TIME_OF_DAY),
      }),
    ),
    shifts: Type.Object({
      journals: Shift,
      tools: Type.Object({
        overall: Shift,
        by_tool: Type.Array(Type.Intersect([Type.Object({ tool_id: Uuid() }), Shift])),
      }),
    }),
  },
  { $id: 'EmotionPatterns' },
);
export type PatternsDto = Static<typeof Patterns>;

export const INSIGHT_TYPES = [
  'dominant_emotion',
  'time_of_day',
  'trend',
  'helpful_tool',
  'journaling_shift',
] as const;
export const Insights = Type.Object(
  {
    language: StringEnum(['es', 'en']),
    items: Type.Array(
      Type.Object({
        type: StringEnum(INSIGHT_TYPES),
        message: Type.String(),
        data: Type.Object({}, { additionalProperties: true }),
        confidence: Type.Number({ minimum: 0, maximum: 1 }),
      }),
    ),
  },
  { $id: 'EmotionInsights' },
);
export type InsightsDto = Static<typeof Insights>;

export const RecommendationsBody = Type.Object(
  {
    emotion_type_id: EmotionTypeId,
    intensity: Intensity,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 5 })),
  },
  { additionalProperties: false },
);
export const Recommendations = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        tool_id: Uuid(),
        name: Type.String(),
        category: Type.String(),
        estimated_duration_seconds: Type.Integer(),
        score: Type.Number(),
        reason: Type.String(),
      }),
    ),
    unavailable_reason: Nullable(Type.String({ description: 'Why the list is empty, when it is' })),
  },
  { $id: 'ToolRecommendations' },
);
export type RecommendationsDto = Static<typeof Recommendations>;

/** The shapes of /v1/emotions named in the OpenAPI document. */
export const emotionsComponents = [
  Bilingual,
  EmotionType,
  EmotionTypeList,
  Checkin,
  CheckinPage,
  BatchResult,
  Distribution,
  Trends,
  Shift,
  Profile,
  Patterns,
  Insights,
  Recommendations,
];
