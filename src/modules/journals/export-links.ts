// Time-limited download links for journal export bundles: the platform's signed download
// links (platform/storage/download-links.ts) under this module's own purpose.
import type { Secrets } from '../../platform/crypto/secrets.ts';
import {
  signDownloadToken,
  verifyDownloadToken,
  type DownloadTokenCheck,
} from '../../platform/storage/download-links.ts';

export const EXPORT_LINK_PURPOSE = 'export-link';

export const signExportToken = (secrets: Secrets, key: string, expiresAt: Date): string =>
  signDownloadToken(secrets, EXPORT_LINK_PURPOSE, key, expiresAt);

export const verifyExportToken = (secrets: Secrets, token: string, now: Date): DownloadTokenCheck =>
  verifyDownloadToken(secrets, EXPORT_LINK_PURPOSE, token, now);
