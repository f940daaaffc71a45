export {
  AmiraClient,
  ApiError,
  type Checkin,
  type CheckinInput,
  type Journal,
  type JournalDetail,
  type OwnShare,
  type Share,
  type ShareOptions,
  type PlaintextMigration,
  type Problem,
  type RecordingInput,
  type TokenPair,
} from './client.ts';
export * from './crypto.ts';
export type { paths } from './api-types.ts';
export * from './segmented.ts';
export * from './shares.ts';
