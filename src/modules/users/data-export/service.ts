// The full personal-data export ("data rights"): a request makes a row and a build job
// (build.ts has every module write its files into one zip in storage and reports progress
// into the row); the user downloads the zip through a signed, short-lived link. Exports
// expire after DATA_EXPORT_TTL_DAYS: the hourly cleanup deletes the row, then the object
// (rows first: no row ever points at a missing object).
import type { Logger } from 'pino';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Secrets } from '../../../platform/crypto/secrets.ts';
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { AfterCommit } from '../../../platform/account-deletion.ts';
import { notFound } from '../../../platform/errors.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { Limiter } from '../../../platform/http/rate-limit.ts';
import type { ObjectStorage } from '../../../platform/storage/storage.ts';
import { createDownloadLinks } from '../../../platform/storage/download-links.ts';
import type { DataExportRegistry } from '../../../platform/data-export.ts';
import type { AccountMailPort, AccountsPort, AuditPort } from '../../auth/index.ts';
import * as repo from './repository.ts';
import type { DataExportDto } from './schemas.ts';

export interface DataExportSettings {
  ttlDays: number;
  linkTtlSeconds: number;
  publicBaseUrl: string;
}

export interface DataExportDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  secrets: Secrets;
  registry: DataExportRegistry;
  /** New exports per user (a full export reads everything the account holds). */
  limiter: Limiter;
  /** The owner's language and time zone (the "ready" email). */
  accounts: Pick<AccountsPort, 'locale'>;
  mail: AccountMailPort;
  audit: AuditPort;
  settings: DataExportSettings;
  log: Logger;
}

/** Every full export lives under its owner's prefix (account deletion removes the prefix). */
const EXPORTS_ROOT = 'data-exports/';
const ARCHIVE_ID = /^data-exports\/[0-9a-f-]{36}\/([0-9a-f-]{36})\.zip$/;
export const exportPrefixOf = (userId: string) => `${EXPORTS_ROOT}${userId}/`;
export const objectKeyOf = (userId: string, exportId: string) =>
  `${exportPrefixOf(userId)}${exportId}.zip`;

/**
 * An export still queued or running after this long lost its job (a worker killed during its
 * last attempt): longer than three attempts of two hours each with their delays.
 */
const STALE_AFTER_MS = 12 * 60 * 60 * 1000;
export const DAY_MS = 86_400_000;
const BATCH = 200;

const deleteArchive = (deps: Pick<DataExportDeps, 'storage' | 'log'>, key: string) =>
  deps.storage.delete(key).catch((error: unknown) => {
    deps.log.warn({ err: error, key }, 'export archive not deleted; the next run retries');
  });

/**
 * The hourly cleanup: deletes expired exports (rows, then objects), marks exports whose job
 * was lost as failed, and removes archives no row knows (an object delete that failed after
 * an account purge).
 */
export async function expireExports(
  deps: Pick<DataExportDeps, 'db' | 'clock' | 'storage' | 'log'>,
): Promise<{ expired: number; stale: number; orphans: number }> {
  const { db, storage } = deps;
  const now = deps.clock.now();
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
    for (const { id, userId } of batch) await deleteArchive(deps, objectKeyOf(userId, id));
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
      await deleteArchive(deps, key);
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

export function createDataExportService(
  deps: DataExportDeps & {
    /** Enqueues the build job (jobs.ts) in `tx`. */
    enqueueBuild(tx: Tx, payload: { export_id: string; user_id: string }): Promise<void>;
  },
) {
  const { db, clock, storage, settings, audit } = deps;
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

  return {
    /** Starts an export, or answers with the one already under way (one at a time per user). */
    async request(caller: AuthContext, meta: RequestMeta): Promise<DataExportDto> {
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
        await deps.enqueueBuild(tx, { export_id: created.id, user_id: userId });
        await audit(tx, userId, 'data_export_requested', meta, { export_id: created.id });
        return created;
      });
      return toDto(row);
    },

    async status(caller: AuthContext, id: string): Promise<DataExportDto> {
      const row = await db.asUser(caller.userId, (tx) => repo.findExport(tx, caller.userId, id));
      // An expired export is as good as deleted, whether or not the cleanup has run yet.
      if (!row || row.expiresAt.getTime() <= clock.now().getTime()) throw notFound('export');
      return toDto(row);
    },

    open: (token: string) => links.open(token),

    /** What the hourly cleanup job does. */
    expire: () => expireExports(deps),

    /** Account deletion: the rows go with the account, the archives once it has committed. */
    async deleteAllOf(tx: Tx, userId: string): Promise<AfterCommit> {
      await repo.deleteExportsOf(tx, userId);
      return async () => {
        for await (const object of storage.list(exportPrefixOf(userId)))
          await deleteArchive(deps, object.key);
      };
    },
  };
}

export type DataExportService = ReturnType<typeof createDataExportService>;
