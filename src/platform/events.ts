// In-process domain events. A module emits inside the transaction of the write that caused
// the event; handlers (registered by other modules at start) run in that same transaction,
// typically enqueueing a durable job there: the reaction exists if and only if the write
// committed, and a module never writes another module's tables itself.
//
// Modules declare their events by augmenting DomainEventMap:
//   declare module '../../platform/events.ts' { interface DomainEventMap { 'x.happened': Payload } }
import type { Tx } from './db/database.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEventMap {}

export type EventName = keyof DomainEventMap;
export type EventHandler<E extends EventName> = (
  tx: Tx,
  payload: DomainEventMap[E],
) => Promise<void>;

export interface DomainEvents {
  on<E extends EventName>(name: E, handler: EventHandler<E>): void;
  emit<E extends EventName>(tx: Tx, name: E, payload: DomainEventMap[E]): Promise<void>;
}

export function createDomainEvents(): DomainEvents {
  const handlers = new Map<string, EventHandler<never>[]>();
  return {
    on(name, handler) {
      const list = handlers.get(name) ?? [];
      list.push(handler);
      handlers.set(name, list);
    },
    async emit(tx, name, payload) {
      for (const handler of handlers.get(name) ?? [])
        await (handler as EventHandler<typeof name>)(tx, payload);
    },
  };
}
