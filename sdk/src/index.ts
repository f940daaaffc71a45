// @amira/client: the Amira Wellness API with the end-to-end encryption of what people write
// and record. Importing it does no work; the crypto primitives load on first use.
export * from './client.ts';
export * from './crypto.ts';
export * from './errors.ts';
export * from './primitives.ts';
export * from './segmented.ts';
export * from './session.ts';
export * from './shares.ts';
export type {
  OperationId,
  PagedOperationId,
  PageItem,
  RequestArgs,
  Result,
} from './operation-types.ts';
export type { components, operations, paths } from './api-types.ts';
