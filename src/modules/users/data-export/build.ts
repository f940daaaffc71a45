// Building a full data export (what the auth.data-export job does, jobs.ts): every
// module's files into one zip in storage (platform/data-export.ts), progress into the row,
// then `ready` and the "your copy is ready" email. The last failed attempt marks it failed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobContext } from '../../../platform/jobs/jobs.ts';
import { writeExportArchive, type ExportContributor } from '../../../platform/data-export.ts';
import type { SendEmailPayload } from '../../auth/index.ts';
import * as repo from './repository.ts';
import { objectKeyOf, type DataExportDeps } from './service.ts';

/** Attempts after the first (the job's retry limit): the last one marks the export failed. */
export const BUILD_RETRIES = 2;

const README = readFileSync(
  fileURLToPath(new URL('../../../../content/data-export/README.md', import.meta.url)),
  'utf8',
);

function readmeFor(contributors: ExportContributor[], createdAt: Date, ttlDays: number): string {
  const folders = (language: 'es' | 'en') =>
    contributors.map((c) => `- \`${c.folder}/\`: ${c.about[language]}`).join('\n');
  const values: Record<string, string> = {
    created_at: createdAt.toISOString().slice(0, 16).replace('T', ' '),
    ttl_days: String(ttlDays),
    folders_es: folders('es'),
    folders_en: folders('en'),
  };
  return README.replace(/\{\{(\w+)\}\}/g, (match, name: string) => values[name] ?? match);
}

/** The "your copy is ready" email: it points to the app, never carries the download link. */
function readyEmail(
  userId: string,
  row: repo.DataExportRow,
  locale: { language: 'es' | 'en'; timeZone: string },
): SendEmailPayload {
  const expiresOn = new Intl.DateTimeFormat(locale.language, {
    dateStyle: 'long',
    timeZone: locale.timeZone,
  }).format(row.expiresAt);
  return { user_id: userId, kind: 'data_export_ready', facts: { expires_on: expiresOn } };
}

export async function buildExport(
  deps: DataExportDeps,
  exportId: string,
  userId: string,
  context: JobContext,
): Promise<void> {
  const { db, clock, storage, settings } = deps;
  const update = (fields: Parameters<typeof repo.updateExport>[2]) =>
    db.asUser(userId, (tx) => repo.updateExport(tx, exportId, fields));
  const row = await db.asUser(userId, (tx) => repo.findExport(tx, userId, exportId));
  if (!row || row.status === 'ready' || row.status === 'failed') return; // gone, or done before
  if (row.expiresAt.getTime() <= clock.now().getTime()) return;
  await update({ status: 'running', progress: 0 });
  const key = objectKeyOf(userId, exportId);
  const contributors = deps.registry.contributors();
  try {
    const size = await writeExportArchive(
      { db, storage },
      {
        userId,
        key,
        contributors,
        rootFiles: { 'README.md': readmeFor(contributors, row.createdAt, settings.ttlDays) },
        // 99 at most until the row says ready: 100 means "download it now".
        onProgress: (done, total) =>
          update({ progress: Math.floor((done * 99) / total) }).then(() => undefined),
      },
    );
    const kept = await db.asUser(userId, async (tx) => {
      const found = await repo.updateExport(tx, exportId, {
        status: 'ready',
        progress: 100,
        objectKey: key,
        sizeBytes: size,
        completedAt: clock.now(),
      });
      if (found) {
        const locale = await deps.accounts.locale(tx, userId);
        if (locale) await deps.mail.send(tx, readyEmail(userId, row, locale));
      }
      return found;
    });
    // The account (or the export) was deleted meanwhile: its archive must not outlive it.
    if (!kept) await storage.delete(key);
  } catch (error) {
    if (context.attempt >= BUILD_RETRIES)
      await update({ status: 'failed', completedAt: clock.now() }).catch(() => {});
    throw error;
  }
}
