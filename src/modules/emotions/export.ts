// What the emotions module puts into a full data export: every check-in, as JSON (as the
// API shows them) and as CSV for spreadsheets, oldest first, with the emotion's names.
import type { ExportContributor } from '../../platform/data-export.ts';
import { toCsv } from '../../platform/csv.ts';
import type { EmotionCatalog } from './catalog.ts';
import { listCheckins, type CheckinRow } from './repository.ts';
import { toCheckinDto } from './service.ts';

const PAGE = 1000;
const CSV_COLUMNS = [
  'id',
  'created_at',
  'local_date',
  'emotion_type_id',
  'emotion_code',
  'emotion_es',
  'emotion_en',
  'intensity',
  'context',
  'notes',
  'related_journal_id',
  'related_tool_id',
  'client_id',
] as const;

export function emotionsExport(catalog: () => EmotionCatalog): ExportContributor {
  return {
    folder: 'emotions',
    about: {
      es: 'tus registros emocionales, en `checkins.json` y en `checkins.csv` (para hoja de cálculo), del más antiguo al más reciente.',
      en: 'your emotional check-ins, in `checkins.json` and in `checkins.csv` (for spreadsheets), oldest first.',
    },
    async write({ userId, read, files }) {
      const rows = await read(async (tx) => {
        const all: CheckinRow[] = [];
        let after: { createdAt: Date; id: string } | undefined;
        for (;;) {
          const page = await listCheckins(tx, userId, {}, PAGE, after);
          all.push(...page.slice(0, PAGE));
          const last = page[PAGE - 1];
          if (page.length <= PAGE || !last) return all.reverse();
          after = { createdAt: last.createdAt, id: last.id };
        }
      });
      const checkins = rows.map((row) => {
        const type = catalog().byId(row.emotionTypeId);
        return {
          ...toCheckinDto(row),
          emotion: type ? { code: type.code, name: type.name } : null,
        };
      });
      await files.json('checkins.json', checkins);
      await files.file(
        'checkins.csv',
        toCsv(
          CSV_COLUMNS,
          checkins.map((c) => ({
            ...c,
            emotion_code: c.emotion?.code,
            emotion_es: c.emotion?.name.es,
            emotion_en: c.emotion?.name.en,
          })),
        ),
      );
    },
  };
}
