// Compassionate streaks, computed from runs of consecutive active local days (the database
// reduces the history to runs; this walks the runs, not the days).
//
// - A day is the user's local day when the activity happened, in their time zone then.
//   Days are a set of dates, so activity in two zones on "the same" date counts once.
// - Every 7 consecutive active days earn a freeze (at most 2 banked). A single missed day
//   between two runs is covered by a freeze automatically; the frozen day keeps the streak
//   alive without counting in it. Two or more missed days end the streak (and its freezes).
// - Travel: a date counts as missed only if it was missed in both the zone the user left
//   and the zone they arrived in. A flight east skips a calendar date nobody lived through.
// - Today: a streak is alive if its last day is today or yesterday; if it is the day before
//   yesterday, a banked freeze covers yesterday.
import { addDays, daysBetween, localDate } from '../../platform/time.ts';

export interface Run {
  start: string;
  end: string;
  days: number;
  /** The first activity of the run's first day, and the zone the user was in. */
  firstAt: Date;
  firstZone: string;
  /** The last activity of the run's last day, and the zone the user was in. */
  lastAt: Date;
  lastZone: string;
}

export interface Streak {
  current: number;
  longest: number;
  lastActivityDate: string | null;
  activeToday: boolean;
  freezesAvailable: number;
  /** Missed days of the current streak that a freeze covered. */
  freezesUsedOn: string[];
  nextMilestone: number | null;
}

export const MILESTONES = [3, 7, 14, 30, 60, 100, 180, 365, 730, 1000];
export const FREEZE_EVERY_DAYS = 7;
export const MAX_FREEZES = 2;

/** Dates missed between two runs, seen from both zones (see the travel rule above). */
function missedBetween(previous: Run, next: Run): number {
  const calendar = daysBetween(previous.end, next.start) - 1;
  const fromOldZone = daysBetween(previous.end, localDate(next.firstAt, previous.lastZone)) - 1;
  const fromNewZone = daysBetween(localDate(previous.lastAt, next.firstZone), next.start) - 1;
  return Math.max(0, Math.min(calendar, fromOldZone, fromNewZone));
}

export function computeStreak(runs: Run[], now: Date, timeZone: string): Streak {
  let current = 0;
  let longest = 0;
  let bank = 0;
  let towardFreeze = 0;
  let used: string[] = [];
  const reset = () => {
    current = 0;
    bank = 0;
    towardFreeze = 0;
    used = [];
  };
  let previous: Run | undefined;
  for (const run of runs) {
    if (previous) {
      const missed = missedBetween(previous, run);
      if (missed === 1 && bank > 0) {
        bank--;
        used.push(addDays(previous.end, 1));
      } else if (missed >= 1) {
        reset();
      }
    }
    current += run.days;
    bank = Math.min(MAX_FREEZES, bank + Math.floor((towardFreeze + run.days) / FREEZE_EVERY_DAYS));
    towardFreeze = (towardFreeze + run.days) % FREEZE_EVERY_DAYS;
    longest = Math.max(longest, current);
    previous = run;
  }
  const today = localDate(now, timeZone);
  const last = previous?.end ?? null;
  if (previous && last) {
    const sinceLast = Math.min(
      daysBetween(last, today),
      daysBetween(last, localDate(now, previous.lastZone)),
    );
    if (sinceLast === 2 && bank > 0) {
      bank--;
      used.push(addDays(last, 1));
    } else if (sinceLast >= 2) {
      reset();
    }
  }
  return {
    current,
    longest,
    lastActivityDate: last,
    // After a flight west, the last active date can be "tomorrow" where the user is now.
    activeToday: last !== null && last >= today,
    freezesAvailable: bank,
    freezesUsedOn: used,
    nextMilestone: MILESTONES.find((m) => m > current) ?? null,
  };
}
