// Offline batches (POST /v1/emotions/batch): up to 100 check-ins, each checked like one
// (recording.ts) and applied idempotently. An item is identified by (client_id,
// created_at): re-sending a batch creates nothing new and answers each item with the id
// it got the first time; a rejected item does not stop the others.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { EmotionsServiceDeps } from './service.ts';
import type { CheckinRecording, ItemError } from './recording.ts';
import * as repo from './repository.ts';
import type { NewCheckin } from './repository.ts';
import type { BatchItemInput, BatchResultDto } from './schemas.ts';

export async function recordBatch(
  deps: EmotionsServiceDeps,
  recording: CheckinRecording,
  caller: AuthContext,
  items: BatchItemInput[],
): Promise<BatchResultDto> {
  const now = deps.clock.now();
  return deps.db.asUser(caller.userId, async (tx) => {
    const { timeZone } = await deps.profiles.profileIn(tx, caller.userId);
    // An item is identified by (client_id, created_at): the same pair twice is one check-in.
    const keyOf = (clientId: string | null, createdAt: Date) =>
      `${clientId ?? ''}@${createdAt.toISOString()}`;
    const outcomes: ({ key: string; first: boolean } | ItemError)[] = [];
    const pending = new Map<string, NewCheckin>();
    for (const [index, item] of items.entries()) {
      const prefix = `#/body/items/${index}`;
      const checked = recording.checkFields(item, now, prefix);
      const error =
        checked instanceof Date
          ? await recording.checkRelations(tx, caller.userId, item, prefix)
          : checked;
      if (error || !(checked instanceof Date)) {
        outcomes.push(error ?? (checked as ItemError));
        continue;
      }
      const key = keyOf(item.client_id, checked);
      outcomes.push({ key, first: !pending.has(key) });
      if (!pending.has(key))
        pending.set(key, recording.toRow(caller.userId, item, checked, timeZone, now));
    }
    const inserted = await repo.insertCheckinsIgnoringDuplicates(tx, [...pending.values()]);
    // The reactions of every inserted check-in are sent at once (pipelined on the connection).
    await Promise.all(inserted.map((row) => recording.recorded(tx, row, timeZone)));
    const ids = new Map(inserted.map((row) => [keyOf(row.clientId, row.createdAt), row.id]));
    const created = new Set(ids.keys());
    // Items stored by an earlier send of this batch answer with their first id.
    const earlier = [...pending.entries()].filter(([key]) => !ids.has(key)).map(([, row]) => row);
    for (const row of await repo.findByClientIds(
      tx,
      caller.userId,
      earlier.map((r) => ({ clientId: r.clientId ?? '', createdAt: r.createdAt })),
    )) {
      ids.set(keyOf(row.clientId, row.createdAt), row.id);
    }
    return {
      results: outcomes.map((outcome, index) => {
        const clientId = items[index]?.client_id ?? '';
        if ('code' in outcome) {
          return {
            client_id: clientId,
            status: 'rejected' as const,
            id: null,
            error: { code: outcome.code, detail: outcome.detail },
          };
        }
        const status =
          outcome.first && created.has(outcome.key) ? ('created' as const) : ('duplicate' as const);
        return { client_id: clientId, status, id: ids.get(outcome.key) ?? null, error: null };
      }),
    };
  });
}
