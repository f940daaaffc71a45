// What the progress module puts into a full data export: earned achievements, the streak as
// it stands and its history (runs of consecutive active days), and every recorded activity.
import {
  jsonArrayStream,
  keysetPages,
  mapPages,
  type ExportContributor,
} from '../../platform/data-export.ts';
import type { Tx } from '../../platform/db/database.ts';
import { earnedWithNames } from './achievements/repository.ts';
import { activitiesOldestFirst, activityRuns, type ExportedActivityRow } from './repository.ts';
import { toStreakDto } from './service.ts';
import type { Streak } from './streaks.ts';

const PAGE = 1000;

export function progressExport(
  streakIn: (tx: Tx, userId: string) => Promise<Streak>,
): ExportContributor {
  return {
    folder: 'progress',
    about: {
      es: 'tus logros (`achievements.json`), tu racha y su historia (`streak.json`) y cada actividad registrada (`activities.json`).',
      en: 'your achievements (`achievements.json`), your streak and its history (`streak.json`) and every recorded activity (`activities.json`).',
    },
    async write({ userId, read, files }) {
      const data = await read(async (tx) => ({
        achievements: await earnedWithNames(tx, userId),
        streak: await streakIn(tx, userId),
        runs: await activityRuns(tx, userId),
      }));
      await files.json(
        'achievements.json',
        data.achievements.map((a) => ({
          code: a.code,
          name: { es: a.nameEs, en: a.nameEn },
          earned_at: a.earnedAt.toISOString(),
          details: a.metadata,
        })),
      );
      await files.json('streak.json', {
        current: toStreakDto(data.streak),
        history: data.runs.map((r) => ({ from: r.start, to: r.end, days: r.days })),
      });
      // Page by page: a long history costs the memory of one page.
      const pages = keysetPages<ExportedActivityRow>(
        (after) => read((tx) => activitiesOldestFirst(tx, userId, PAGE, after)),
        PAGE,
      );
      const activities = mapPages(pages, (a) => ({
        kind: a.kind,
        related_id: a.relatedEntityId,
        occurred_at: a.occurredAt.toISOString(),
        local_date: a.localDate,
        time_zone: a.timeZone,
        details: a.metadata,
      }));
      await files.file('activities.json', jsonArrayStream(activities));
    },
  };
}
