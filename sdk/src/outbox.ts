// Check-ins made offline wait here until syncCheckins() sends them (POST /v1/emotions/batch,
// up to 100 at a time). Each is stored ready to send: its notes already encrypted, its
// `client_id` fixed, so a batch sent twice (the answer lost on the way) creates nothing
// twice; and with its owner, so that on a shared device one person's check-ins are never
// sent with another's session (they wait until their owner signs in again).
import type { KeyValueStorage } from './session.ts';
import type { RequestArgs } from './operation-types.ts';

export type BatchItem = RequestArgs<'createCheckinBatch'>['body']['items'][number];
interface Queued {
  user_id: string;
  item: BatchItem;
}

export class CheckinOutbox {
  private readonly storage: KeyValueStorage;
  private readonly key: string;
  private readonly owner: () => string | undefined;
  // Reads and writes of the stored list happen one after another (a check-in added while
  // a sync runs is neither lost nor sent twice).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(storage: KeyValueStorage, key: string, owner: () => string | undefined) {
    this.storage = storage;
    this.key = key;
    this.owner = owner;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Queued[]> {
    const text = await this.storage.getItem(this.key);
    return text ? (JSON.parse(text) as Queued[]) : [];
  }

  private async write(queued: Queued[]): Promise<void> {
    if (queued.length) await this.storage.setItem(this.key, JSON.stringify(queued));
    else await this.storage.removeItem(this.key);
  }

  add(item: BatchItem): Promise<void> {
    return this.serially(async () => {
      const user = this.owner();
      if (!user) throw new Error('sign in before recording a check-in');
      await this.write([...(await this.read()), { user_id: user, item }]);
    });
  }

  /** The signed-in person's check-ins waiting to be sent. */
  pending(): Promise<BatchItem[]> {
    return this.serially(async () => {
      const user = this.owner();
      return (await this.read()).filter((q) => q.user_id === user).map((q) => q.item);
    });
  }

  remove(clientIds: ReadonlySet<string>): Promise<void> {
    return this.serially(async () => {
      const user = this.owner();
      await this.write(
        (await this.read()).filter((q) => q.user_id !== user || !clientIds.has(q.item.client_id)),
      );
    });
  }
}
