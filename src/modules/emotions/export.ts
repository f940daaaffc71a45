// What the emotions module puts into a full data export: every check-in, as JSON (as the
// API shows them) and as CSV for spreadsheets, oldest first, with the emotion's names.
import {
  csvStream,
  jsonArrayStream,
  keysetPages,
  mapPages,
  type ExportContributor,
} from '../../platform/data-export.ts';
import type { EmotionCatalog } from './catalog.ts';
import { checkinsOldestFirst, type CheckinRow } from './repository.ts';
import { toCheckinDto } from './recording.ts';

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
      const exported = (row: CheckinRow) => {
        const type = catalog().byId(row.emotionTypeId);
        return {
          ...toCheckinDto(row),
          emotion: type ? { code: type.code, name: type.name } : null,
        };
      };
      // Page by page, twice (JSON, then CSV): memory stays at one page however long the history.
      const pages = () =>
        mapPages(
          keysetPages<CheckinRow>(
            (after) => read((tx) => checkinsOldestFirst(tx, userId, PAGE, after)),
            PAGE,
          ),
          exported,
        );
      await files.file('checkins.json', jsonArrayStream(pages()));
      await files.file(
        'checkins.csv',
        csvStream(
          CSV_COLUMNS,
          mapPages(pages(), (c) => ({
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
