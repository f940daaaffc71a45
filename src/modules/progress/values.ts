// Values the progress module's tables, queries and rules share (kept out of tables.ts, so
// that only repositories import the tables).
export const ACTIVITY_KINDS = ['checkin', 'journal', 'tool'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The activity_types rows (seeded by the migration), by kind. */
export const ACTIVITY_TYPE_IDS = { checkin: 1, journal: 2, tool: 3 } as const satisfies Record<
  ActivityKind,
  number
>;
