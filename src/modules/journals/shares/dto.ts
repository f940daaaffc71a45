// A share row as the owner sees it (the API and the data export).
import type { ShareRow } from './repository.ts';
import type { ShareDto, ShareStatus } from './schemas.ts';

export function statusOf(share: ShareRow, now: Date): ShareStatus {
  if (share.revokedAt) return 'revoked';
  if (share.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (share.maxDownloads !== null && share.downloads >= share.maxDownloads) return 'exhausted';
  return 'active';
}

export const toShareDto = (row: ShareRow, now: Date, appLinkBaseUrl: string): ShareDto => ({
  id: row.id,
  journal_id: row.journalId,
  label: row.label,
  url: `${appLinkBaseUrl}/s/${row.id}`,
  status: statusOf(row, now),
  expires_at: row.expiresAt.toISOString(),
  max_downloads: row.maxDownloads,
  downloads: row.downloads,
  revoked_at: row.revokedAt?.toISOString() ?? null,
  created_at: row.createdAt.toISOString(),
});
