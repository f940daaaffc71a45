// Request and result types of every operation, read from the OpenAPI document's
// `operations` (api-types.ts, generated): an operation's arguments are its path, query and
// header parameters and its JSON body, named as in the document.
import type { operations } from './api-types.ts';

export type OperationId = keyof operations;

type Parameters<K extends OperationId> = operations[K]['parameters'];

type JsonBody<K extends OperationId> = operations[K] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? { body: B }
  : operations[K] extends { requestBody?: { content: { 'application/json': infer B } } }
    ? { body?: B }
    : { body?: never };

/** What a call needs: `path`, `query`, `header` and `body` as the document declares them. */
export type RequestArgs<K extends OperationId> = Pick<Parameters<K>, 'path' | 'query' | 'header'> &
  JsonBody<K> & {
    /** Cancels the call (a screen closed). */
    signal?: AbortSignal;
  };

type Responses<K extends OperationId> = operations[K]['responses'];
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/**
 * What a call answers: the JSON of its 200, 201 or 202; nothing for a 204; the raw Response
 * for audio and archives (stream it).
 */
export type Result<K extends OperationId> =
  Responses<K> extends { 200: infer R }
    ? [JsonOf<R>] extends [never]
      ? Response
      : JsonOf<R>
    : Responses<K> extends { 201: infer R }
      ? JsonOf<R>
      : Responses<K> extends { 202: infer R }
        ? JsonOf<R>
        : void;

/** How to send an operation (generated from the document into operations.ts). */
export interface OperationSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Whether it needs the access token (false for public routes: `security: []`). */
  auth: boolean;
  /** Whether it honours an Idempotency-Key (the SDK sends one, the same on every retry). */
  idempotent: boolean;
  /** How the success comes back. */
  answer: 'json' | 'empty' | 'binary';
}

/** Operations whose answer is a page of `items` with a `next_cursor`. */
export type PagedOperationId = {
  [K in OperationId]: Result<K> extends { items: unknown[]; next_cursor: string | null }
    ? K
    : never;
}[OperationId];

export type PageItem<K extends PagedOperationId> =
  Result<K> extends { items: (infer T)[] } ? T : never;
