// Values the users module's tables, schemas and rules share (kept out of tables.ts, so
// that only repositories import the tables).
export const EXPORT_STATUSES = ['queued', 'running', 'ready', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
