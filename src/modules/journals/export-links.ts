// Exporting one journal (POST /v1/journals/{id}/export): a zip of its metadata and its
// ciphertext, stored under exports/, behind a time-limited download link signed with the
// platform's download links (platform/storage/download-links.ts) under this module's own
// purpose; opening such a link (GET /v1/journals/exports/{token}). The full data export's
// contribution is export.ts.
import { randomUUID } from 'node:crypto';
import { ZipArchive } from 'archiver';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import { notFound, serviceUnavailable } from '../../platform/errors.ts';
import {
  createDownloadLinks,
  signDownloadToken,
  verifyDownloadToken,
  type DownloadTokenCheck,
} from '../../platform/storage/download-links.ts';
import { storageCall } from './errors.ts';
import * as repo from './repository.ts';
import type { ExportLinkDto, JournalDetailDto } from './schemas.ts';
import type { JournalsServiceDeps } from './service.ts';

export const EXPORT_LINK_PURPOSE = 'export-link';

export const exportKeyOf = (userId: string, exportId: string) =>
  `exports/${userId}/${exportId}.zip`;

export const signExportToken = (secrets: Secrets, key: string, expiresAt: Date): string =>
  signDownloadToken(secrets, EXPORT_LINK_PURPOSE, key, expiresAt);

export const verifyExportToken = (secrets: Secrets, token: string, now: Date): DownloadTokenCheck =>
  verifyDownloadToken(secrets, EXPORT_LINK_PURPOSE, token, now);

export function createExportLinks(
  deps: JournalsServiceDeps,
  get: (caller: AuthContext, id: string) => Promise<JournalDetailDto>,
) {
  const { db, clock, storage, settings } = deps;
  const links = createDownloadLinks({
    secrets: deps.secrets,
    storage,
    clock,
    purpose: EXPORT_LINK_PURPOSE,
    routeUrl: `${settings.publicBaseUrl}/v1/journals/exports/`,
  });

  async function exportJournal(caller: AuthContext, id: string): Promise<ExportLinkDto> {
    const detail = await get(caller, id);
    const row = await db.asUser(caller.userId, (tx) => repo.findJournal(tx, caller.userId, id));
    if (!row) throw notFound('journal');
    const audio = await storageCall(() => storage.get(row.storagePath));
    if (!audio) throw serviceUnavailable('audio storage', 30);
    const key = exportKeyOf(caller.userId, randomUUID());
    const zip = new ZipArchive({ store: true });
    zip.append(
      JSON.stringify({ format: 'amira-journal-export', version: 1, journal: detail }, null, 2),
      { name: 'metadata.json' },
    );
    zip.append(audio, { name: 'audio.bin' });
    await Promise.all([storageCall(() => storage.put(key, zip)), zip.finalize()]);
    const expiresAt = new Date(clock.now().getTime() + settings.exportLinkTtlSeconds * 1000);
    const url = await links.url(key, expiresAt, `journal-${id}.zip`);
    return { url, expires_at: expiresAt.toISOString(), format: 'zip' };
  }

  const openExport = (token: string) => links.open(token);

  return { exportJournal, openExport };
}
