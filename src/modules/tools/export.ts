// What the tools module puts into a full data export: the user's favorite tools and every
// recorded use of a tool, each with the tool's code and names.
import type { ExportContributor } from '../../platform/data-export.ts';
import { allFavoritesOf, allUsageOf } from './repository.ts';
import type { Translations } from './tables.ts';

const named = (row: { toolId: string; toolCode: string; translations: Translations }) => ({
  tool_id: row.toolId,
  tool_code: row.toolCode,
  tool_name: { es: row.translations.es?.name ?? null, en: row.translations.en?.name ?? null },
});

export const toolsExport: ExportContributor = {
  folder: 'tools',
  about: {
    es: 'tus herramientas favoritas (`favorites.json`) y cada vez que usaste una herramienta (`usage.json`).',
    en: 'your favorite tools (`favorites.json`) and every time you used a tool (`usage.json`).',
  },
  async write({ userId, read, files }) {
    const { favorites, usage } = await read(async (tx) => ({
      favorites: await allFavoritesOf(tx, userId),
      usage: await allUsageOf(tx, userId),
    }));
    await files.json(
      'favorites.json',
      favorites.map((f) => ({ ...named(f), favorited_at: f.favoritedAt.toISOString() })),
    );
    await files.json(
      'usage.json',
      usage.map(({ usage: u, ...tool }) => ({
        id: u.id,
        ...named(tool),
        started_at: u.startedAt.toISOString(),
        completed_at: u.completedAt?.toISOString() ?? null,
        duration_seconds: u.durationSeconds,
        completion_status: u.completionStatus,
        created_at: u.createdAt.toISOString(),
      })),
    );
  },
};
