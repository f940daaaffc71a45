// Examples of /v1/notifications for the OpenAPI document (checked against their schemas by
// the compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import { exampleIds } from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type { NotificationDto, PreferencesDto, PutPreferencesInput } from './schemas.ts';

export const preferencesExamples: Examples<PreferencesDto> = {
  defaults: {
    summary: 'The defaults, until the user changes them',
    value: {
      reminders_enabled: true,
      reminder_time: '20:00',
      reminder_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      affirmations_enabled: true,
      affirmation_time: '09:00',
      achievement_notifications: true,
      quiet_hours: { start: '22:00', end: '07:00' },
      channels: { push: true, in_app: true },
      updated_at: null,
    },
  },
};

export const putPreferencesExamples: Examples<PutPreferencesInput> = {
  lucia: {
    summary: 'Lucía wants her reminder before work, on weekdays',
    value: { reminder_time: '07:30', reminder_days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  },
  emma: {
    summary: 'Emma turns affirmations off and keeps the inbox only',
    value: { affirmations_enabled: false, channels: { push: false } },
  },
};

const reminder: NotificationDto = {
  id: exampleIds.notification,
  kind: 'reminder',
  title: 'A moment for you',
  body: 'How are you arriving at today? Take a minute for your check-in.',
  data: { kind: 'reminder' },
  created_at: '2026-03-09T19:00:00.000Z',
  read_at: null,
};

export const notificationExamples: Examples<NotificationDto> = {
  emma: {
    summary: 'Emma’s evening reminder, read',
    value: { ...reminder, read_at: '2026-03-09T19:04:27.000Z' },
  },
};

export const notificationPageExamples: Examples<{
  items: NotificationDto[];
  next_cursor: string | null;
}> = {
  emma: {
    summary: 'Emma’s inbox, one page',
    value: {
      items: [
        {
          id: 'c0b8e6a4-2d19-4f7e-b35a-81e9d4c2f607',
          kind: 'achievement',
          title: 'You reached a new milestone',
          body: 'Three days for you. You made time for yourself on Amira three days in a row. Every day counts.',
          data: { kind: 'achievement', achievement: 'streak-3' },
          created_at: '2026-03-09T21:41:02.000Z',
          read_at: null,
        },
        reminder,
      ],
      next_cursor: null,
    },
  },
};
