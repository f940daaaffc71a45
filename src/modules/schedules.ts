// Every scheduled job of every module, in one table for operators: docs/operations.md
// ("Scheduled jobs") and `amira --help` show it, and a test checks that both agree with
// what the processes actually schedule (test/platform/schedules.test.ts).
import type { Schedule } from '../platform/jobs/jobs.ts';
import { authSchedules } from './auth/index.ts';
import { usersSchedules } from './users/index.ts';
import { emotionsSchedules } from './emotions/index.ts';
import { journalsSchedules } from './journals/index.ts';
import { notificationsSchedules } from './notifications/index.ts';

/** When a cron of the forms we use runs, in words (UTC); any other form is shown as is. */
export function describeCron(cron: string): string {
  const [minute, hour, ...rest] = cron.split(' ');
  const daily = rest.every((field) => field === '*');
  const twoDigits = (value: string) => value.padStart(2, '0');
  if (!daily || minute === undefined || hour === undefined) return cron;
  if (minute === '*' && hour === '*') return 'every minute';
  if (/^\d+$/.test(minute) && hour === '*') return `hourly, :${twoDigits(minute)}`;
  if (/^\d+$/.test(minute) && /^\d+$/.test(hour))
    return `${twoDigits(hour)}:${twoDigits(minute)} daily`;
  return cron;
}

/** Every minute first, then daily ones by time of day, then hourly ones by minute. */
function order(schedule: Schedule): number {
  const [minute = '', hour = ''] = schedule.cron.split(' ');
  if (minute === '*') return -1;
  return hour === '*' ? 10_000 + Number(minute) : Number(hour) * 60 + Number(minute);
}

export const SCHEDULES: readonly Schedule[] = [
  ...notificationsSchedules,
  ...emotionsSchedules,
  ...usersSchedules,
  ...journalsSchedules,
  ...authSchedules,
].sort((a, b) => order(a) - order(b));

/** The table as `amira --help` prints it (times in UTC). */
export function scheduleTableText(): string {
  const width = Math.max(...SCHEDULES.map((each) => each.job.length));
  const when = Math.max(...SCHEDULES.map((each) => describeCron(each.cron).length));
  return SCHEDULES.map(
    (each) =>
      `  ${each.job.padEnd(width)}  ${describeCron(each.cron).padEnd(when)}  ${each.description.replaceAll('`', '')}`,
  ).join('\n');
}
