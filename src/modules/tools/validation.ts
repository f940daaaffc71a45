// Validation of tool content beyond its JSON schema: the content of each language against
// the schema of its content type, the category and the target emotions against the
// catalogs. Shared by the seed and the admin API, so both accept exactly the same content.
import { Value } from 'typebox/value';
import type { FieldError } from '../../platform/errors.ts';
import { ContentSchemas, type ToolDefinition } from './content-schemas.ts';

export function contentErrors(definition: ToolDefinition, pointer: string): FieldError[] {
  const schema = ContentSchemas[definition.content_type];
  const errors: FieldError[] = [];
  for (const language of ['es', 'en'] as const) {
    const translation = definition.translations[language];
    if (!translation) continue;
    for (const error of Value.Errors(schema, translation.content)) {
      errors.push({
        pointer: `${pointer}/translations/${language}/content${error.instancePath}`,
        message: error.message,
      });
      if (errors.length >= 20) return errors;
    }
  }
  return errors;
}

export function referenceErrors(
  definition: ToolDefinition,
  pointer: string,
  known: { categories: Set<string>; emotions: Set<string> },
): FieldError[] {
  const errors: FieldError[] = [];
  if (!known.categories.has(definition.category)) {
    errors.push({
      pointer: `${pointer}/category`,
      message: `unknown category ${definition.category}`,
    });
  }
  definition.target_emotions.forEach((code, index) => {
    if (!known.emotions.has(code))
      errors.push({
        pointer: `${pointer}/target_emotions/${index}`,
        message: `unknown emotion ${code}`,
      });
  });
  return errors;
}
