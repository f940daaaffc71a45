// What the journals module puts into a full data export: each recording's ciphertext exactly
// as stored (the server cannot decrypt it, and must not alter it) next to the metadata the
// user's client needs to decrypt it (IV, algorithm, which data key), and a list of all.
// Deleted recordings still within their restore window are included: they are still held.
import type { ExportContributor } from '../../platform/data-export.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import { toJournalDto } from './dto.ts';
import { allJournalsOf } from './repository.ts';
import { toShareDto } from './shares/dto.ts';
import { sharesOfUser } from './shares/repository.ts';
import type { Clock } from '../../platform/clock.ts';

export function journalsExport(deps: {
  storage: ObjectStorage;
  clock: Clock;
  appLinkBaseUrl: string;
}): ExportContributor {
  return {
    folder: 'journals',
    about: {
      es: 'tus diarios de voz: `journals.json` con todos, una carpeta por grabación con `audio.bin` (el audio cifrado tal como lo guardamos) y `metadata.json` (lo necesario para descifrarlo), y `shares.json`, los enlaces con los que compartiste grabaciones (sin sus claves, que nunca tuvimos).',
      en: 'your voice journals: `journals.json` listing them all, a folder per recording with `audio.bin` (the encrypted audio exactly as we stored it) and `metadata.json` (what decrypting it takes), and `shares.json`, the links you shared recordings through (without their keys, which we never had).',
    },
    async write({ userId, read, files }) {
      const rows = await read((tx) => allJournalsOf(tx, userId));
      const listed = [];
      for (const row of rows) {
        // One object stream at a time: the archive reads it before the next is opened.
        const audio = await deps.storage.get(row.storagePath);
        const entry = {
          ...toJournalDto(row),
          deleted_at: row.deletedAt?.toISOString() ?? null,
          // Null only if the object went missing; the rest of the export is still worth having.
          audio_file: audio ? `${row.id}/audio.bin` : null,
        };
        await files.json(`${row.id}/metadata.json`, entry);
        if (audio) await files.file(`${row.id}/audio.bin`, audio, { stored: true });
        listed.push(entry);
      }
      await files.json('journals.json', listed);
      // Share links as the owner lists them (labels stay envelopes; keys were never here).
      const now = deps.clock.now();
      const shares = await read((tx) => sharesOfUser(tx, userId));
      await files.json(
        'shares.json',
        shares.map((row) => toShareDto(row, now, deps.appLinkBaseUrl)),
      );
    },
  };
}
