// The deletion ledger: one small object per purged account, kept in object storage, that
// is outside the database and its backups. Restoring the database to a moment before a
// purge brings the account back; `amira reapply-deletions` (run after every restore, see
// docs/runbooks.md) recognises such accounts in the ledger and purges them again.
//
// An entry is named by an HMAC of the account id under the app secret and holds only the
// time of the purge: no id, no email, nothing a reader of the bucket could tie to a person.
import { Readable } from 'node:stream';
import type { Secrets } from '../../../platform/crypto/secrets.ts';
import type { ObjectStorage } from '../../../platform/storage/storage.ts';

const PREFIX = 'deletion-ledger/';
const PURPOSE = 'deletion-ledger';

export interface DeletionLedger {
  /** The entry name of an account id. */
  nameOf(userId: string): string;
  /** Records a purge; resolves once the entry is durable. */
  record(userId: string, purgedAt: Date): Promise<void>;
  /** The names of every entry. */
  names(): Promise<Set<string>>;
}

export function createDeletionLedger(storage: ObjectStorage, secrets: Secrets): DeletionLedger {
  const nameOf = (userId: string) => secrets.hmac(PURPOSE, userId).toString('hex');
  return {
    nameOf,
    async record(userId, purgedAt) {
      const body = JSON.stringify({ purged_at: purgedAt.toISOString() });
      await storage.put(`${PREFIX}${nameOf(userId)}.json`, Readable.from([Buffer.from(body)]));
    },
    async names() {
      const names = new Set<string>();
      for await (const object of storage.list(PREFIX))
        names.add(object.key.slice(PREFIX.length).replace(/\.json$/, ''));
      return names;
    },
  };
}
