// Notes are encrypted on the device (docs/encryption.md). Notes written before that are
// still plaintext on the server, marked `notes_plaintext`; the SDK lists them, encrypts
// each under the user's data key bound to its check-in, and writes the envelope back here,
// which clears the mark. The same replacement serves a note edited (or removed) later.
import type { Database } from '../../platform/db/database.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { createdAtPage, type PageRequest } from '../../platform/http/pagination.ts';
import { toCheckinDto } from './recording.ts';
import * as repo from './repository.ts';
import type { CheckinDto } from './schemas.ts';

export function createEncryptedNotes(db: Database) {
  return {
    /** A page of the caller's check-ins whose notes are plaintext, oldest first. */
    plaintext: (caller: AuthContext, page: PageRequest) =>
      createdAtPage(
        page,
        (limit, after) =>
          db.asUser(caller.userId, (tx) =>
            repo.listPlaintextNotes(tx, caller.userId, limit, after),
          ),
        toCheckinDto,
      ),

    /** PUT /v1/emotions/{id}/notes: the envelope replaces what was there (plaintext or not). */
    async replace(caller: AuthContext, id: string, notes: string | null): Promise<CheckinDto> {
      const [row] = await db.asUser(caller.userId, (tx) =>
        repo.replaceNotes(tx, caller.userId, id, notes),
      );
      if (!row) throw notFound('check-in');
      return toCheckinDto(row);
    },
  };
}

export type EncryptedNotes = ReturnType<typeof createEncryptedNotes>;
