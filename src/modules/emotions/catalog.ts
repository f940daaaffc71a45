// The emotion catalog: seeded from content/emotions.json (idempotently: re-running
// changes nothing, an edited file updates the rows) and held in memory by each process,
// since it changes only with a deployment. Other modules name emotions through it (tools
// target them, journals and progress show them), so it is built before them and loaded
// when the emotions module starts.
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { Database, Tx } from '../../platform/db/database.ts';
import { readContent } from '../../platform/content.ts';
import { EMOTION_CATEGORIES } from './values.ts';
import type { EmotionTypeDto } from './schemas.ts';
import { valenceArray } from './analytics/repository.ts';
import * as repo from './repository.ts';

const Bilingual = Type.Object({
  es: Type.String({ minLength: 1 }),
  en: Type.String({ minLength: 1 }),
});
const EmotionsFile = Type.Array(
  Type.Object({
    code: Type.String({ pattern: '^[a-z_]+$' }),
    category: Type.Union(EMOTION_CATEGORIES.map((c) => Type.Literal(c))),
    valence: Type.Number({ minimum: -1, maximum: 1 }),
    arousal: Type.Number({ minimum: 0, maximum: 1 }),
    color: Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' }),
    name: Bilingual,
    description: Bilingual,
  }),
  { minItems: 16 },
);

/** Upserts the catalog; returns how many rows were inserted or changed. */
export async function seedEmotionTypes(db: Database): Promise<number> {
  const items = await readContent(EmotionsFile, 'emotions.json');
  const rows = items.map((item, index) => ({
    code: item.code,
    category: item.category,
    valence: item.valence,
    arousal: item.arousal,
    color: item.color,
    nameEs: item.name.es,
    nameEn: item.name.en,
    descriptionEs: item.description.es,
    descriptionEn: item.description.en,
    sortOrder: index + 1,
  }));
  return db.asSystem((tx) => repo.upsertEmotionTypes(tx, rows));
}

/** The codes of the emotions stored now (the tool seed checks its target emotions against them). */
export async function storedEmotionCodes(tx: Tx): Promise<Set<string>> {
  return new Set(await repo.emotionTypeCodes(tx));
}

export interface EmotionCatalog {
  all(): EmotionTypeDto[];
  byId(id: number): EmotionTypeDto | undefined;
  byCode(code: string): EmotionTypeDto | undefined;
  /** A strong validator for the ETag of the catalog response. */
  etag: string;
  /** Valences indexed by id, as a float8[] literal for analytics queries. */
  valences: string;
}

export async function loadEmotionCatalog(db: Database): Promise<EmotionCatalog> {
  const rows = await db.asSystem((tx) => repo.allEmotionTypes(tx));
  const all: EmotionTypeDto[] = rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: { es: r.nameEs, en: r.nameEn },
    description: { es: r.descriptionEs, en: r.descriptionEn },
    category: r.category,
    valence: r.valence,
    arousal: r.arousal,
    color: r.color,
  }));
  const byId = new Map(all.map((e) => [e.id, e]));
  const byCode = new Map(all.map((e) => [e.code, e]));
  const etag = `"${createHash('sha256').update(JSON.stringify(all)).digest('base64url').slice(0, 22)}"`;
  return {
    all: () => all,
    byId: (id) => byId.get(id),
    byCode: (code) => byCode.get(code),
    etag,
    valences: valenceArray(all),
  };
}

/** The catalog a process holds: `current()` once `load()` ran (the emotions module's start). */
export interface LoadedEmotionCatalog {
  current: () => EmotionCatalog;
  load: () => Promise<void>;
}

export function createEmotionCatalog(db: Database): LoadedEmotionCatalog {
  let catalog: EmotionCatalog | undefined;
  return {
    current() {
      if (!catalog) throw new Error('emotion catalog not loaded (module not started)');
      return catalog;
    },
    async load() {
      catalog = await loadEmotionCatalog(db);
    },
  };
}
