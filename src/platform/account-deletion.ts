// What an account deletion removes beyond the rows that cascade from `users`: each module
// registers a step. Steps run in the deletion's transaction, before the user row goes; a
// step may return work to do once that transaction has committed (deleting stored
// objects: never before the rows that point at them are gone).
import { eq } from 'drizzle-orm';
import type { Tx } from './db/database.ts';
import { idempotencyKeys } from './idempotency/tables.ts';

export type AfterCommit = () => Promise<void>;
export type DeletionStep = (tx: Tx, userId: string) => Promise<AfterCommit | void>;

export interface AccountDeletion {
  register(name: string, step: DeletionStep): void;
  /** Runs every step; returns what to do after the transaction commits. */
  run(tx: Tx, userId: string): Promise<AfterCommit[]>;
  steps(): string[];
}

export function createAccountDeletion(): AccountDeletion {
  const steps = new Map<string, DeletionStep>();
  steps.set('platform.idempotency-keys', async (tx, userId) => {
    await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId));
  });
  return {
    register(name, step) {
      if (steps.has(name)) throw new Error(`deletion step ${name} registered twice`);
      steps.set(name, step);
    },
    async run(tx, userId) {
      const after: AfterCommit[] = [];
      for (const step of steps.values()) {
        const next = await step(tx, userId);
        if (next) after.push(next);
      }
      return after;
    },
    steps: () => [...steps.keys()],
  };
}
