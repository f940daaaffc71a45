// Loads the tool library from content/tools/ (categories.json and one file per tool).
// Idempotent: each row remembers the hash of the file entry last applied, so a second run
// changes nothing, an edited file updates its row, and an edit made through the admin API
// stays until the file itself changes. Target emotions are checked against the emotions
// stored (seeded just before), as the emotions module reports them.
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import { ContentError, contentFiles, readContent } from '../../platform/content.ts';
import { storedEmotionCodes } from '../emotions/index.ts';
import { CategoryDefinition, ToolDefinition } from './content-schemas.ts';
import { contentErrors, referenceErrors } from './validation.ts';
import * as repo from './admin/repository.ts';

const hashOf = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url');

export async function seedToolContent(db: Database): Promise<number> {
  const categories = await readContent(
    Type.Array(CategoryDefinition, { minItems: 1 }),
    'tools/categories.json',
  );
  const definitions: ToolDefinition[] = [];
  for (const file of await contentFiles('tools', ['categories.json'])) {
    const definition = await readContent(ToolDefinition, file);
    if (`tools/${definition.code}.json` !== file)
      throw new ContentError(`${file}: the code must match the file name`);
    definitions.push(definition);
  }
  return db.asSystem(async (tx) => {
    const known = {
      categories: new Set(categories.map((c) => c.code)),
      emotions: await storedEmotionCodes(tx),
    };
    for (const definition of definitions) {
      const errors = [...contentErrors(definition, ''), ...referenceErrors(definition, '', known)];
      if (errors.length)
        throw new ContentError(
          `tools/${definition.code}.json: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
        );
    }
    let changed = 0;
    const categoryIds = new Map<string, number>();
    for (const category of categories) {
      const hash = hashOf(category);
      const existing = await repo.findCategoryByCode(tx, category.code);
      const values = {
        code: category.code,
        icon: category.icon,
        sortOrder: category.sort_order,
        nameEs: category.name.es,
        nameEn: category.name.en,
        descriptionEs: category.description.es,
        descriptionEn: category.description.en,
        seedHash: hash,
        updatedAt: new Date(),
      };
      if (!existing) {
        categoryIds.set(category.code, (await repo.insertCategory(tx, values)).id);
        changed++;
      } else {
        categoryIds.set(category.code, existing.id);
        if (existing.seedHash !== hash) {
          await repo.updateCategory(tx, existing.id, values);
          changed++;
        }
      }
    }
    for (const definition of definitions) {
      const hash = hashOf(definition);
      const existing = await repo.findToolByCode(tx, definition.code);
      if (existing?.seedHash === hash) continue;
      const values = {
        code: definition.code,
        categoryId: categoryIds.get(definition.category) ?? 0,
        contentType: definition.content_type,
        difficulty: definition.difficulty,
        estimatedDurationSeconds: definition.estimated_duration_seconds,
        targetEmotions: definition.target_emotions,
        isActive: definition.is_active,
        translations: definition.translations,
        seedHash: hash,
        updatedAt: new Date(),
      };
      if (existing) await repo.updateTool(tx, existing.id, values);
      else await repo.insertTool(tx, values);
      changed++;
    }
    if (changed > 0) await repo.bumpContentVersion(tx);
    return changed;
  });
}
