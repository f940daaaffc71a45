// Values the emotions module's tables, schemas and rules share (kept out of tables.ts, so
// that only repositories import the tables).
export const EMOTION_CATEGORIES = ['positive', 'neutral', 'negative'] as const;
export type EmotionCategory = (typeof EMOTION_CATEGORIES)[number];

export const CHECKIN_CONTEXTS = [
  'standalone',
  'daily_checkin',
  'pre_journal',
  'post_journal',
  'pre_tool',
  'post_tool',
] as const;
export type CheckinContext = (typeof CHECKIN_CONTEXTS)[number];
