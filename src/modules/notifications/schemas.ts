// Request and response schemas of /v1/notifications.
import { Type, type Static } from 'typebox';
import {
  Nullable,
  Page,
  PageQuery,
  StringEnum,
  Timestamp,
  Uuid,
} from '../../platform/http/schemas.ts';
import { NOTIFICATION_KINDS, WEEKDAYS } from './values.ts';

const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'Local time of day, HH:MM (24 h), in the user’s time zone',
});
const QuietHours = Type.Object(
  { start: LocalTime, end: LocalTime },
  {
    additionalProperties: false,
    description:
      'Pushes are held back in this span (it may cross midnight); the inbox still gets them',
  },
);
const Channels = Type.Object(
  { push: Type.Boolean(), in_app: Type.Boolean() },
  { additionalProperties: false },
);
const Days = Type.Array(StringEnum(WEEKDAYS), { minItems: 1, maxItems: 7, uniqueItems: true });

export const Preferences = Type.Object(
  {
    reminders_enabled: Type.Boolean(),
    reminder_time: LocalTime,
    reminder_days: Days,
    affirmations_enabled: Type.Boolean(),
    affirmation_time: LocalTime,
    achievement_notifications: Type.Boolean(),
    quiet_hours: Nullable(QuietHours),
    channels: Channels,
    updated_at: Nullable(Timestamp({ description: 'null while the defaults apply' })),
  },
  { $id: 'NotificationPreferences' },
);
export type PreferencesDto = Static<typeof Preferences>;

export const PutPreferencesBody = Type.Object(
  {
    reminders_enabled: Type.Optional(Type.Boolean()),
    reminder_time: Type.Optional(LocalTime),
    reminder_days: Type.Optional(Days),
    affirmations_enabled: Type.Optional(Type.Boolean()),
    affirmation_time: Type.Optional(LocalTime),
    achievement_notifications: Type.Optional(Type.Boolean()),
    quiet_hours: Type.Optional(Nullable(QuietHours)),
    channels: Type.Optional(
      Type.Object(
        { push: Type.Optional(Type.Boolean()), in_app: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields left out keep their current value',
  },
);
export type PutPreferencesInput = Static<typeof PutPreferencesBody>;

export const Notification = Type.Object(
  {
    id: Uuid(),
    kind: StringEnum(NOTIFICATION_KINDS),
    title: Type.String(),
    body: Type.String(),
    data: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp(),
    read_at: Nullable(Timestamp()),
  },
  { $id: 'Notification', description: 'A message of the in-app inbox (also pushed, unless quiet)' },
);
export type NotificationDto = Static<typeof Notification>;
export const NotificationPage = Page(Notification, 'NotificationPage');

export const INBOX_ORDERS = ['recent', 'unread_first'] as const;
export const InboxQuery = Type.Object(
  {
    ...PageQuery,
    order: Type.Optional(StringEnum(INBOX_ORDERS, { default: 'recent' })),
  },
  { additionalProperties: false },
);
export type InboxQueryInput = Static<typeof InboxQuery>;

export const UnreadCount = Type.Object({ count: Type.Integer() }, { $id: 'UnreadCount' });
export const ReadAllResult = Type.Object(
  { updated: Type.Integer({ description: 'How many were marked read' }) },
  { $id: 'ReadAllResult' },
);

/** The shapes of /v1/notifications named in the OpenAPI document. */
export const notificationsComponents = [
  Preferences,
  Notification,
  NotificationPage,
  UnreadCount,
  ReadAllResult,
];
