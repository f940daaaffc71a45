// Values the tools module's tables, schemas and rules share (kept out of tables.ts, so
// that only repositories import the tables).
export const COMPLETION_STATUSES = ['completed', 'partial', 'abandoned'] as const;
export type CompletionStatus = (typeof COMPLETION_STATUSES)[number];
