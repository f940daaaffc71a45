// What an account deletion removes beyond the rows that cascade from `users`: each module
// registers a step (for example deleting its stored objects, or platform tables that do
// not reference users). Steps run in the deletion's transaction, before the user row goes.
import type { Tx } from './db/database.ts';
import { idempotencyKeys } from './idempotency/tables.ts';
import { eq } from 'drizzle-orm';

export type DeletionStep = (tx: Tx, userId: string) => Promise<void>;

export interface AccountDeletion {
  register(name: string, step: DeletionStep): void;
  run(tx: Tx, userId: string): Promise<void>;
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
      for (const step of steps.values()) await step(tx, userId);
    },
    steps: () => [...steps.keys()],
  };
}
