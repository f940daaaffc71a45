// Notification preferences: the defaults every user starts with, and the row <-> DTO
// mapping. The scheduler's query takes the same defaults as parameters, so users who
// never opened the settings are scheduled exactly as GET /preferences shows them.
import type { PreferencesDto, PutPreferencesInput } from './schemas.ts';
import type { notificationPreferences } from './tables.ts';
import { WEEKDAYS } from './values.ts';

export type PreferencesRow = typeof notificationPreferences.$inferSelect;

export const DEFAULT_PREFERENCES: Omit<PreferencesDto, 'updated_at'> = {
  reminders_enabled: true,
  reminder_time: '20:00',
  reminder_days: [...WEEKDAYS],
  affirmations_enabled: true,
  affirmation_time: '09:00',
  achievement_notifications: true,
  quiet_hours: { start: '22:00', end: '07:00' },
  channels: { push: true, in_app: true },
};

const hhmm = (time: string) => time.slice(0, 5);

export function toPreferencesDto(row: PreferencesRow | undefined): PreferencesDto {
  if (!row) return { ...DEFAULT_PREFERENCES, updated_at: null };
  return {
    reminders_enabled: row.remindersEnabled,
    reminder_time: hhmm(row.reminderTime),
    reminder_days: WEEKDAYS.filter((d) => row.reminderDays.includes(d)),
    affirmations_enabled: row.affirmationsEnabled,
    affirmation_time: hhmm(row.affirmationTime),
    achievement_notifications: row.achievementNotifications,
    quiet_hours:
      row.quietStart && row.quietEnd
        ? { start: hhmm(row.quietStart), end: hhmm(row.quietEnd) }
        : null,
    channels: { push: row.pushEnabled, in_app: row.inAppEnabled },
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The current preferences with the given fields replaced. */
export function merge(current: PreferencesDto, input: PutPreferencesInput): PreferencesDto {
  return {
    reminders_enabled: input.reminders_enabled ?? current.reminders_enabled,
    reminder_time: input.reminder_time ?? current.reminder_time,
    reminder_days: input.reminder_days ?? current.reminder_days,
    affirmations_enabled: input.affirmations_enabled ?? current.affirmations_enabled,
    affirmation_time: input.affirmation_time ?? current.affirmation_time,
    achievement_notifications: input.achievement_notifications ?? current.achievement_notifications,
    quiet_hours: input.quiet_hours === undefined ? current.quiet_hours : input.quiet_hours,
    channels: {
      push: input.channels?.push ?? current.channels.push,
      in_app: input.channels?.in_app ?? current.channels.in_app,
    },
    updated_at: current.updated_at,
  };
}

export function toPreferencesRow(userId: string, dto: PreferencesDto, now: Date): PreferencesRow {
  return {
    userId,
    remindersEnabled: dto.reminders_enabled,
    reminderTime: dto.reminder_time,
    reminderDays: dto.reminder_days,
    affirmationsEnabled: dto.affirmations_enabled,
    affirmationTime: dto.affirmation_time,
    achievementNotifications: dto.achievement_notifications,
    quietStart: dto.quiet_hours?.start ?? null,
    quietEnd: dto.quiet_hours?.end ?? null,
    pushEnabled: dto.channels.push,
    inAppEnabled: dto.channels.in_app,
    updatedAt: now,
  };
}

/** Whether a local time of day ('HH:MM') falls in the quiet hours (which may cross midnight). */
export function inQuietHours(localTime: string, quiet: PreferencesDto['quiet_hours']): boolean {
  if (!quiet) return false;
  const t = localTime.slice(0, 5);
  return quiet.start < quiet.end
    ? t >= quiet.start && t < quiet.end
    : t >= quiet.start || t < quiet.end;
}
