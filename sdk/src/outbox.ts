// Check-ins made offline wait here until syncCheckins() sends them (POST /v1/emotions/batch,
// up to 100 at a time). Each is stored ready to send: its notes already encrypted, its
// `client_id` fixed, so a batch sent twice (the answer lost on the way) creates nothing twice.
import type { KeyValueStorage } from './session.ts';
import type { RequestArgs } from './operation-types.ts';

export type BatchItem = RequestArgs<'createCheckinBatch'>['body']['items'][number];

export class CheckinOutbox {
  private readonly storage: KeyValueStorage;
  private readonly key: string;
  // Reads and writes of the stored list happen one after another (a check-in added while
  // a sync runs is neither lost nor sent twice).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(storage: KeyValueStorage, key: string) {
    this.storage = storage;
    this.key = key;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<BatchItem[]> {
    const text = await this.storage.getItem(this.key);
    return text ? (JSON.parse(text) as BatchItem[]) : [];
  }

  add(item: BatchItem): Promise<void> {
    return this.serially(async () => {
      await this.storage.setItem(this.key, JSON.stringify([...(await this.read()), item]));
    });
  }

  pending(): Promise<BatchItem[]> {
    return this.serially(() => this.read());
  }

  remove(clientIds: ReadonlySet<string>): Promise<void> {
    return this.serially(async () => {
      const left = (await this.read()).filter((item) => !clientIds.has(item.client_id));
      if (left.length) await this.storage.setItem(this.key, JSON.stringify(left));
      else await this.storage.removeItem(this.key);
    });
  }
}
