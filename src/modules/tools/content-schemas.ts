// The shape of each kind of tool content, validated when content is written (seed files
// and the admin API alike). An app renders content by its type: text sections, timed
// steps, a breathing pattern it can animate, writing prompts, or an audio guide.
import { Type, type Static } from 'typebox';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Seconds = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });

export const CONTENT_TYPES = [
  'text',
  'guided_steps',
  'breathing_pattern',
  'prompts',
  'audio',
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export const ContentSchemas = {
  text: Type.Object(
    {
      sections: Type.Array(
        Type.Object(
          { heading: Type.Optional(Text(120)), body: Text(4000) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20 },
      ),
    },
    { additionalProperties: false },
  ),
  guided_steps: Type.Object(
    {
      steps: Type.Array(
        Type.Object(
          { instruction: Text(1000), seconds: Seconds(1, 3600) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 50 },
      ),
    },
    { additionalProperties: false },
  ),
  breathing_pattern: Type.Object(
    {
      inhale_seconds: Seconds(1, 20),
      hold_after_inhale_seconds: Seconds(0, 30),
      exhale_seconds: Seconds(1, 30),
      hold_after_exhale_seconds: Seconds(0, 30),
      cycles: Seconds(1, 100),
      instructions: Type.Array(Text(500), { maxItems: 20 }),
    },
    { additionalProperties: false },
  ),
  prompts: Type.Object(
    { intro: Text(1000), prompts: Type.Array(Text(500), { minItems: 1, maxItems: 30 }) },
    { additionalProperties: false },
  ),
  audio: Type.Object(
    {
      asset_url: Type.String({ format: 'uri', pattern: '^https://', maxLength: 500 }),
      duration_seconds: Seconds(1, 7200),
      transcript: Text(20000),
    },
    { additionalProperties: false },
  ),
} as const;

export type ToolContent = Static<(typeof ContentSchemas)[ContentType]>;

export const Translation = Type.Object(
  {
    name: Text(80),
    description: Text(300),
    content: Type.Object(
      {},
      { additionalProperties: true, description: 'Shaped by the tool’s content_type' },
    ),
  },
  {
    $id: 'ToolTranslation',
    additionalProperties: false,
    description: 'A tool’s name, description and content in one language',
  },
);
export type TranslationInput = Static<typeof Translation>;

/** A tool as written by the seed files and the admin API. */
export const ToolDefinition = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 64 }),
    category: Type.String({ pattern: '^[a-z0-9_-]+$', maxLength: 32 }),
    // Unions of literals (as validated since the start); typed as the value unions they are.
    content_type: Type.Unsafe<ContentType>(Type.Union(CONTENT_TYPES.map((c) => Type.Literal(c)))),
    difficulty: Type.Unsafe<Difficulty>(Type.Union(DIFFICULTIES.map((d) => Type.Literal(d)))),
    estimated_duration_seconds: Type.Integer({ minimum: 10, maximum: 7200 }),
    target_emotions: Type.Array(Type.String({ pattern: '^[a-z_]+$' }), {
      maxItems: 10,
      uniqueItems: true,
    }),
    is_active: Type.Boolean(),
    translations: Type.Object(
      { es: Type.Optional(Translation), en: Type.Optional(Translation) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  {
    $id: 'ToolDefinition',
    additionalProperties: false,
    description: 'A tool as the seed files and the content management write it',
  },
);
export type ToolDefinition = Static<typeof ToolDefinition>;

export const CategoryDefinition = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9_-]+$', maxLength: 32 }),
    icon: Type.String({ pattern: '^[a-z0-9_-]+$', maxLength: 40 }),
    sort_order: Type.Integer({ minimum: 0, maximum: 1000 }),
    name: Type.Object({ es: Text(60), en: Text(60) }, { additionalProperties: false }),
    description: Type.Object({ es: Text(300), en: Text(300) }, { additionalProperties: false }),
  },
  {
    $id: 'ToolCategoryDefinition',
    additionalProperties: false,
    description: 'A category as the seed files and the content management write it',
  },
);
export type CategoryDefinition = Static<typeof CategoryDefinition>;
