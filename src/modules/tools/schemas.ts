// Request and response schemas of /v1/tools and /v1/admin/tools, /v1/admin/tool-categories.
import { Type, type Static } from 'typebox';
import { Nullable, Page, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.ts';
import {
  CategoryDefinition,
  CONTENT_TYPES,
  DIFFICULTIES,
  ToolDefinition,
  Translation,
} from './content-schemas.ts';
import { COMPLETION_STATUSES } from './values.ts';

export const Language = StringEnum(['es', 'en']);
export const LangQuery = Type.Object(
  { lang: Type.Optional(Language) },
  { additionalProperties: false },
);

export const Category = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    icon: Type.String(),
    name: Type.String(),
    description: Type.String(),
    language: Language,
  },
  { $id: 'ToolCategory', description: 'A category of the tool library, in one language' },
);
export type CategoryDto = Static<typeof Category>;
export const CategoryList = Type.Object(
  { items: Type.Array(Category) },
  { $id: 'ToolCategoryList' },
);

const toolSummaryFields = {
  id: Uuid(),
  code: Type.String(),
  category_id: Type.Integer(),
  category_code: Type.String(),
  content_type: StringEnum(CONTENT_TYPES),
  difficulty: StringEnum(DIFFICULTIES),
  estimated_duration_seconds: Type.Integer(),
  target_emotion_ids: Type.Array(Type.Integer()),
  name: Type.String(),
  description: Type.String(),
  // The language of name, description and content: the other one when the requested one is missing.
  language: Language,
};
export const ToolSummary = Type.Object(toolSummaryFields, {
  $id: 'ToolSummary',
  description: 'A tool as lists show it (without its content)',
});
export type ToolSummaryDto = Static<typeof ToolSummary>;
export const ToolPage = Page(ToolSummary, 'ToolPage');

export const ToolDetail = Type.Object(
  {
    ...toolSummaryFields,
    content: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'Shaped by content_type: text (sections), guided_steps (steps with seconds), ' +
          'breathing_pattern (phase seconds, cycles, instructions), prompts, or audio ' +
          '(asset_url, duration, transcript)',
      },
    ),
    is_favorite: Type.Boolean(),
  },
  { $id: 'Tool', description: 'A tool with its content, in one language' },
);
export type ToolDetailDto = Static<typeof ToolDetail>;

export const CategoryTools = Type.Object(
  {
    category: Category,
    items: Type.Array(ToolSummary),
    next_cursor: Nullable(Type.String()),
  },
  { $id: 'ToolCategoryPage', description: 'A category and one page of its tools' },
);

export const CategoryParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 32767 }) },
  { additionalProperties: false },
);

export const PagedLangQuery = Type.Object(
  {
    lang: Type.Optional(Language),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    category_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 32767 })),
    content_type: Type.Optional(StringEnum(CONTENT_TYPES)),
    max_duration: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86400, description: 'Seconds' }),
    ),
    emotion: Type.Optional(Type.String({ maxLength: 32, description: 'Emotion type id or code' })),
    lang: Type.Optional(Language),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type SearchInput = Static<typeof SearchQuery>;

export const Favorite = Type.Object(
  {
    tool_id: Uuid(),
    is_favorite: Type.Boolean(),
    favorited_at: Nullable(Timestamp()),
  },
  { $id: 'ToolFavorite' },
);

export const UsageBody = Type.Object(
  {
    started_at: Timestamp(),
    completed_at: Type.Optional(Timestamp()),
    duration_seconds: Type.Integer({ minimum: 0, maximum: 86400 }),
    completion_status: StringEnum(COMPLETION_STATUSES),
  },
  { additionalProperties: false },
);
export type UsageInput = Static<typeof UsageBody>;
export const Usage = Type.Object(
  {
    id: Uuid(),
    tool_id: Uuid(),
    started_at: Timestamp(),
    completed_at: Nullable(Timestamp()),
    duration_seconds: Type.Integer(),
    completion_status: StringEnum(COMPLETION_STATUSES),
    created_at: Timestamp(),
  },
  { $id: 'ToolUsage', description: 'A session with a tool' },
);
export type UsageDto = Static<typeof Usage>;
export const UsagePage = Page(Usage, 'ToolUsagePage');

// Content management

export const AdminTool = Type.Object(
  {
    id: Uuid(),
    code: Type.String(),
    category: Type.String(),
    content_type: StringEnum(CONTENT_TYPES),
    difficulty: StringEnum(DIFFICULTIES),
    estimated_duration_seconds: Type.Integer(),
    target_emotions: Type.Array(Type.String()),
    is_active: Type.Boolean(),
    translations: Type.Object({}, { additionalProperties: true }),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'AdminTool', description: 'A tool as content managers see it: both languages' },
);
export type AdminToolDto = Static<typeof AdminTool>;
export const AdminToolPage = Page(AdminTool, 'AdminToolPage');
export const AdminToolBody = ToolDefinition;

export const AdminCategory = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    icon: Type.String(),
    sort_order: Type.Integer(),
    name: Type.Object({ es: Type.String(), en: Type.String() }),
    description: Type.Object({ es: Type.String(), en: Type.String() }),
  },
  { $id: 'AdminToolCategory', description: 'A category as content managers see it' },
);
export type AdminCategoryDto = Static<typeof AdminCategory>;
export const AdminCategoryList = Type.Object(
  { items: Type.Array(AdminCategory) },
  { $id: 'AdminToolCategoryList' },
);
export const AdminCategoryBody = CategoryDefinition;

/** The shapes of /v1/tools and the content management named in the OpenAPI document. */
export const toolsComponents = [
  Category,
  CategoryList,
  ToolSummary,
  ToolPage,
  ToolDetail,
  CategoryTools,
  Favorite,
  Usage,
  UsagePage,
  AdminTool,
  AdminToolPage,
  AdminCategory,
  AdminCategoryList,
  Translation,
  ToolDefinition,
  CategoryDefinition,
];
