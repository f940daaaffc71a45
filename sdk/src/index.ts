export {
  AmiraClient,
  ApiError,
  type JournalDetail,
  type Problem,
  type RecordingInput,
  type TokenPair,
} from './client.ts';
export * from './crypto.ts';
export type { paths } from './api-types.ts';
