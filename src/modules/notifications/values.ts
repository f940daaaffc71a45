// Values the notifications module's tables, schemas and rules share (kept out of tables.ts,
// so that only repositories import the tables).
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const NOTIFICATION_KINDS = ['reminder', 'affirmation', 'achievement'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const DELIVERY_STATUSES = ['pending', 'sent', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
