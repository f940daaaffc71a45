// The streak rules on hand-made histories: runs of local days, freezes, travel, "today".
import { describe, expect, it } from 'vitest';
import { computeStreak, type Run } from '../../src/modules/progress/streaks.ts';
import { addDays, daysBetween } from '../../src/platform/time.ts';

const BOGOTA = 'America/Bogota';

/** A run of `days` local days from `start`, active at 20:00 Bogotá time each day. */
function run(start: string, days: number, zone = BOGOTA, hourUtc = 1): Run {
  const end = addDays(start, days - 1);
  return {
    start,
    end,
    days,
    // 20:00 in Bogotá (UTC-5) is 01:00 UTC the next calendar day.
    firstAt: new Date(`${addDays(start, 1)}T0${hourUtc}:00:00Z`),
    firstZone: zone,
    lastAt: new Date(`${addDays(end, 1)}T0${hourUtc}:00:00Z`),
    lastZone: zone,
  };
}
/** 10:00 in Bogotá on a local date. */
const onDay = (day: string) => new Date(`${day}T15:00:00Z`);

describe('computeStreak', () => {
  it('is empty without activity', () => {
    expect(computeStreak([], onDay('2026-03-01'), BOGOTA)).toEqual({
      current: 0,
      longest: 0,
      lastActivityDate: null,
      activeToday: false,
      freezesAvailable: 0,
      freezesUsedOn: [],
      nextMilestone: 3,
    });
  });

  it('counts consecutive days, alive until the end of the next day', () => {
    const runs = [run('2026-03-01', 5)];
    expect(computeStreak(runs, onDay('2026-03-05'), BOGOTA)).toMatchObject({
      current: 5,
      longest: 5,
      activeToday: true,
      nextMilestone: 7,
    });
    expect(computeStreak(runs, onDay('2026-03-06'), BOGOTA)).toMatchObject({
      current: 5,
      activeToday: false,
    });
    // Two days later with no freeze banked (5 < 7 days): the streak is over, the record stays.
    expect(computeStreak(runs, onDay('2026-03-07'), BOGOTA)).toMatchObject({
      current: 0,
      longest: 5,
      lastActivityDate: '2026-03-05',
    });
  });

  it('covers one missed day with a freeze earned by 7 consecutive days', () => {
    const runs = [run('2026-03-01', 7), run('2026-03-09', 3)];
    const streak = computeStreak(runs, onDay('2026-03-11'), BOGOTA);
    expect(streak).toMatchObject({ current: 10, longest: 10, freezesAvailable: 0 });
    expect(streak.freezesUsedOn).toEqual(['2026-03-08']);
  });

  it('ends the streak on a missed day when no freeze is banked', () => {
    const runs = [run('2026-03-01', 6), run('2026-03-08', 3)];
    expect(computeStreak(runs, onDay('2026-03-10'), BOGOTA)).toMatchObject({
      current: 3,
      longest: 6,
      freezesUsedOn: [],
    });
  });

  it('never lets a freeze cover two missed days', () => {
    const runs = [run('2026-03-01', 14), run('2026-03-17', 2)];
    expect(computeStreak(runs, onDay('2026-03-18'), BOGOTA)).toMatchObject({
      current: 2,
      longest: 14,
      freezesAvailable: 0,
    });
  });

  it('banks at most two freezes and spends them one missed day at a time', () => {
    const runs = [run('2026-01-01', 28), run('2026-01-30', 1), run('2026-02-01', 1)];
    const streak = computeStreak(runs, onDay('2026-02-01'), BOGOTA);
    expect(streak.current).toBe(30);
    expect(streak.freezesUsedOn).toEqual(['2026-01-29', '2026-01-31']);
    expect(streak.freezesAvailable).toBe(0);
  });

  it('uses a banked freeze for yesterday when the last activity was the day before', () => {
    const runs = [run('2026-03-01', 7)];
    const streak = computeStreak(runs, onDay('2026-03-09'), BOGOTA);
    expect(streak).toMatchObject({ current: 7, freezesAvailable: 0, activeToday: false });
    expect(streak.freezesUsedOn).toEqual(['2026-03-08']);
  });

  it('does not count a date a flight east skipped as a missed day', () => {
    // Monday 22:00 in New York, then Wednesday 20:00 in Tokyo: 32 hours later. Tuesday in
    // New York passed on the plane; in Tokyo's calendar the user was active Tuesday noon.
    const before: Run = {
      start: '2026-06-01',
      end: '2026-06-08',
      days: 8,
      firstAt: new Date('2026-06-01T14:00:00Z'),
      firstZone: 'America/New_York',
      lastAt: new Date('2026-06-09T02:00:00Z'),
      lastZone: 'America/New_York',
    };
    const after: Run = {
      start: '2026-06-10',
      end: '2026-06-10',
      days: 1,
      firstAt: new Date('2026-06-10T11:00:00Z'),
      firstZone: 'Asia/Tokyo',
      lastAt: new Date('2026-06-10T11:00:00Z'),
      lastZone: 'Asia/Tokyo',
    };
    const streak = computeStreak([before, after], new Date('2026-06-10T12:00:00Z'), 'Asia/Tokyo');
    expect(streak).toMatchObject({ current: 9, freezesUsedOn: [], freezesAvailable: 1 });
  });

  it('still counts a missed day when the time zone did not change', () => {
    // Monday 22:00 and Wednesday 07:00, both in Bogotá: 33 hours apart, but Tuesday was missed.
    const before: Run = { ...run('2026-06-01', 3), lastAt: new Date('2026-06-04T03:00:00Z') };
    const after: Run = { ...run('2026-06-05', 1), firstAt: new Date('2026-06-05T12:00:00Z') };
    expect(daysBetween(before.end, after.start)).toBe(2);
    expect(computeStreak([before, after], onDay('2026-06-05'), BOGOTA).current).toBe(1);
  });

  it('reads "today" in the zone of the last activity too, after a flight east', () => {
    // Last active Monday evening in New York; now Wednesday 08:00 in Tokyo, which is still
    // Tuesday in New York: the streak is alive.
    const runs: Run[] = [
      {
        start: '2026-06-01',
        end: '2026-06-01',
        days: 1,
        firstAt: new Date('2026-06-01T23:00:00Z'),
        firstZone: 'America/New_York',
        lastAt: new Date('2026-06-01T23:00:00Z'),
        lastZone: 'America/New_York',
      },
    ];
    const streak = computeStreak(runs, new Date('2026-06-02T23:00:00Z'), 'Asia/Tokyo');
    expect(streak.current).toBe(1);
  });
});
