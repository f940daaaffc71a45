// Titles are encrypted on the device under the journal's key (docs/encryption.md). Titles
// written before that are still plaintext on the server, marked `title_plaintext`; the SDK
// lists them, encrypts each bound to its journal and writes the envelope back here, which
// clears the mark. The same replacement serves a title renamed (or removed) later.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import { createdAtPage, type PageRequest } from '../../platform/http/pagination.ts';
import { toJournalDto } from './dto.ts';
import * as repo from './repository.ts';
import type { JournalDto } from './schemas.ts';

export function createEncryptedTitles(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** A page of the caller's journals whose title is plaintext, oldest first. */
    plaintext: (caller: AuthContext, page: PageRequest) =>
      createdAtPage(
        page,
        (limit, after) =>
          db.asUser(caller.userId, (tx) =>
            repo.listPlaintextTitles(tx, caller.userId, limit, after),
          ),
        toJournalDto,
      ),

    /** PUT /v1/journals/{id}/title: the envelope replaces what was there. */
    async replace(caller: AuthContext, id: string, title: string | null): Promise<JournalDto> {
      const row = await db.asUser(caller.userId, async (tx) => {
        if (!(await repo.replaceTitle(tx, caller.userId, id, title, clock.now()))) return undefined;
        return repo.findJournal(tx, caller.userId, id);
      });
      if (!row) throw notFound('journal');
      return toJournalDto(row);
    },
  };
}

export type EncryptedTitles = ReturnType<typeof createEncryptedTitles>;
