// The full personal-data export ("data rights"): a request makes a row and a job; the job
// has every module write its files into one zip in storage (platform/data-export.ts) and
// reports progress into the row; the user downloads the zip through a signed, short-lived
// link. Exports expire after DATA_EXPORT_TTL_DAYS: a scheduled job deletes the row, then
// the object (rows first: no row ever points at a missing object).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { Logger } from 'pino';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { AfterCommit } from '../../platform/account-deletion.ts';
import { notFound } from '../../platform/errors.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import type { Limiter } from '../../platform/http/rate-limit.ts';
import {
  NoPayload,
  type JobContext,
  type JobDefinition,
  type Jobs,
} from '../../platform/jobs/jobs.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import { createDownloadLinks } from '../../platform/storage/download-links.ts';
import {
  writeExportArchive,
  type DataExportRegistry,
  type ExportContributor,
} from '../../platform/data-export.ts';
import type { SendEmailPayload } from './jobs.ts';
import * as repo from './data-exports.repository.ts';
import { findLocale } from './repository.ts';
import { securityAudit } from './audit.ts';
import type { DataExportDto } from './data-exports.schemas.ts';

export interface DataExportsSettings {
  ttlDays: number;
  linkTtlSeconds: number;
  publicBaseUrl: string;
}

export interface DataExportsDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  secrets: Secrets;
  jobs: Jobs;
  registry: DataExportRegistry;
  /** New exports per user (a full export reads everything the account holds). */
  limiter: Limiter;
  emailJob: JobDefinition<typeof SendEmailPayload>;
  settings: DataExportsSettings;
  log: Logger;
}

/** Every full export lives under its owner's prefix (account deletion removes the prefix). */
const EXPORTS_ROOT = 'data-exports/';
const ARCHIVE_ID = /^data-exports\/[0-9a-f-]{36}\/([0-9a-f-]{36})\.zip$/;
export const exportPrefixOf = (userId: string) => `${EXPORTS_ROOT}${userId}/`;
const objectKeyOf = (userId: string, exportId: string) =>
  `${exportPrefixOf(userId)}${exportId}.zip`;

const BuildPayload = Type.Object({
  export_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
});
const BUILD_RETRIES = 2;
/**
 * An export still queued or running after this long lost its job (a worker killed during its
 * last attempt): longer than three attempts of two hours each with their delays.
 */
const STALE_AFTER_MS = 12 * 60 * 60 * 1000;
const DAY_MS = 86_400_000;
const BATCH = 200;

const README = readFileSync(
  fileURLToPath(new URL('../../../content/data-export/README.md', import.meta.url)),
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

export function createDataExportsService(deps: DataExportsDeps) {
  const { db, clock, storage, settings } = deps;
  const audit = securityAudit(clock);
  const links = createDownloadLinks({
    secrets: deps.secrets,
    storage,
    clock,
    purpose: 'data-export-link',
    routeUrl: `${settings.publicBaseUrl}/v1/users/me/export/download/`,
  });

  async function toDto(row: repo.DataExportRow): Promise<DataExportDto> {
    let url: string | null = null;
    if (row.status === 'ready' && row.objectKey) {
      // A fresh short link on every look, never outliving the export itself.
      const linkEnd = clock.now().getTime() + settings.linkTtlSeconds * 1000;
      const expiresAt = new Date(Math.min(linkEnd, row.expiresAt.getTime()));
      url = await links.url(row.objectKey, expiresAt, `amira-export-${row.id}.zip`);
    }
    return {
      id: row.id,
      status: row.status,
      progress: row.progress,
      created_at: row.createdAt.toISOString(),
      completed_at: row.completedAt?.toISOString() ?? null,
      expires_at: row.expiresAt.toISOString(),
      size_bytes: row.sizeBytes,
      download_url: url,
    };
  }

  /** Starts an export, or answers with the one already under way (one at a time per user). */
  async function request(caller: AuthContext, meta: RequestMeta): Promise<DataExportDto> {
    const { userId } = caller;
    const now = clock.now();
    const row = await db.asUser(userId, async (tx) => {
      await repo.lockExportsOf(tx, userId);
      const current = await repo.findInProgress(tx, userId, now);
      if (current) return current;
      await deps.limiter.consume(userId);
      const created = await repo.insertExport(tx, {
        userId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + settings.ttlDays * DAY_MS),
      });
      await deps.jobs.enqueue(tx, build, { export_id: created.id, user_id: userId });
      await audit(tx, userId, 'data_export_requested', meta, { export_id: created.id });
      return created;
    });
    return toDto(row);
  }

  async function status(caller: AuthContext, id: string): Promise<DataExportDto> {
    const row = await db.asUser(caller.userId, (tx) => repo.findExport(tx, caller.userId, id));
    // An expired export is as good as deleted, whether or not the cleanup has run yet.
    if (!row || row.expiresAt.getTime() <= clock.now().getTime()) throw notFound('export');
    return toDto(row);
  }

  /** The job: every module's files into one zip, progress into the row, then `ready`. */
  async function run(exportId: string, userId: string, context: JobContext): Promise<void> {
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
          const locale = await findLocale(tx, userId);
          if (locale) await deps.jobs.enqueue(tx, deps.emailJob, readyEmail(userId, row, locale));
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

  /**
   * Deletes expired exports (rows, then objects), marks exports whose job was lost as failed,
   * and removes archives no row knows (an object delete that failed after an account purge).
   */
  async function expire(): Promise<{ expired: number; stale: number; orphans: number }> {
    const now = clock.now();
    const stale = await db.asSystem((tx) =>
      repo.failStale(tx, new Date(now.getTime() - STALE_AFTER_MS), now),
    );
    let expired = 0;
    for (;;) {
      const batch = await db.asSystem(async (tx) => {
        const rows = await repo.expiredExports(tx, now, BATCH);
        await repo.deleteExports(
          tx,
          rows.map((r) => r.id),
        );
        return rows;
      });
      for (const { id, userId } of batch) await deleteObject(objectKeyOf(userId, id));
      expired += batch.length;
      if (batch.length < BATCH) break;
    }
    // Archives no row knows: an object delete that failed after the rows went. Only the row
    // decides (a day's grace spares nothing live: every row is made before its archive).
    let orphans = 0;
    const oldest = now.getTime() - DAY_MS;
    let candidates: { key: string; id: string }[] = [];
    const flush = async () => {
      const live = await db.asSystem((tx) =>
        repo.existingExportIds(
          tx,
          candidates.map((c) => c.id),
        ),
      );
      for (const { key, id } of candidates) {
        if (live.has(id)) continue;
        await deleteObject(key);
        orphans++;
      }
      candidates = [];
    };
    for await (const object of storage.list(EXPORTS_ROOT)) {
      const id = ARCHIVE_ID.exec(object.key)?.[1];
      if (!id || object.lastModified.getTime() >= oldest) continue;
      candidates.push({ key: object.key, id });
      if (candidates.length >= BATCH) await flush();
    }
    await flush();
    return { expired, stale, orphans };
  }

  const deleteObject = (key: string) =>
    storage.delete(key).catch((error: unknown) => {
      deps.log.warn({ err: error, key }, 'export archive not deleted; the next run retries');
    });

  const build: JobDefinition<typeof BuildPayload> = {
    name: 'auth.data-export',
    payload: BuildPayload,
    retryLimit: BUILD_RETRIES,
    retryDelaySeconds: 60,
    // A large account (many recordings) takes a while; the heartbeat still catches a dead worker.
    expireInSeconds: 2 * 60 * 60,
    handler: (payload, context) => run(payload.export_id, payload.user_id, context),
  };
  const cleanup: JobDefinition<typeof NoPayload> = {
    name: 'auth.data-exports-expire',
    payload: NoPayload,
    retryLimit: 3,
    handler: async () => {
      const result = await expire();
      if (result.expired || result.stale || result.orphans)
        deps.log.info(result, 'data exports cleaned up');
    },
  };

  /** Account deletion: the rows go with the account, the archives once it has committed. */
  async function deleteAllOf(tx: Tx, userId: string): Promise<AfterCommit> {
    await repo.deleteExportsOf(tx, userId);
    return async () => {
      for await (const object of storage.list(exportPrefixOf(userId)))
        await deleteObject(object.key);
    };
  }

  return {
    request,
    status,
    deleteAllOf,
    open: (token: string) => links.open(token),
    expire,
    jobs: { build, cleanup },
  };
}

export type DataExportsService = ReturnType<typeof createDataExportsService>;
