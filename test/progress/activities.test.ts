// Activities come from check-ins, journals and tool sessions, once each, on the user's
// local day; streaks follow them across DST, time zone changes and late offline sync.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser } from '../helpers/users.ts';
import { emotionId, freshToken, recordAll } from '../helpers/emotions.ts';
import { uploadRecording } from '../helpers/journals.ts';
import { toolId } from '../helpers/tools.ts';
import { activitiesOf, checkinAt, setTimeZone, streakOf } from '../helpers/progress.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-03-01T12:00:00Z' });
});
afterAll(() => t.close());

const daily = (days: string[], time: string) =>
  days.map((day) => ({ at: `${day}T${time}`, code: 'calm', intensity: 5 }));

describe('activities from domain events', () => {
  it('records each check-in, journal and tool session once, with what statistics need', async () => {
    t.clock.set('2026-04-10T15:00:00Z');
    const user = await registerUser(t, { time_zone: 'America/Bogota' });
    const token = user.accessToken;
    const sad = await emotionId(t, 'sadness');
    const batch = {
      items: [
        {
          client_id: randomUUID(),
          emotion_type_id: sad,
          intensity: 6,
          context: 'standalone',
          created_at: '2026-04-10T14:30:00Z',
        },
      ],
    };
    expect((await t.request('POST', '/v1/emotions/batch', { token, body: batch })).status).toBe(
      200,
    );
    // Re-sending the same batch (a phone retrying) creates no second activity.
    expect((await t.request('POST', '/v1/emotions/batch', { token, body: batch })).status).toBe(
      200,
    );
    await uploadRecording(t, token, { duration_seconds: 125 });
    const tool = await toolId(t, user, 'box-breathing');
    const usage = await t.request('POST', `/v1/tools/${tool}/usage`, {
      token,
      body: {
        started_at: '2026-04-10T14:50:00Z',
        completed_at: '2026-04-10T14:54:00Z',
        duration_seconds: 240,
        completion_status: 'completed',
      },
    });
    expect(usage.status, usage.raw).toBe(201);
    // A refused check-in is no activity.
    const refused = await t.request('POST', '/v1/emotions', {
      token,
      body: { emotion_type_id: sad, intensity: 11, context: 'standalone' },
    });
    expect(refused.status).toBe(400);

    const activities = await activitiesOf(t, user);
    expect(activities.map((a) => a.kind).sort()).toEqual(['checkin', 'journal', 'tool']);
    const byKind = Object.fromEntries(activities.map((a) => [a.kind, a]));
    expect(byKind.checkin).toMatchObject({
      local_date: '2026-04-10',
      time_zone: 'America/Bogota',
      metadata: { emotion_type_id: sad },
    });
    expect(byKind.journal!.metadata).toEqual({ duration_seconds: 125 });
    expect(byKind.tool!.metadata).toEqual({
      tool_id: tool,
      tool_category: 'breathing',
      completion_status: 'completed',
    });
    // One evaluation job for the whole batch, one per other write.
    expect(await t.drainJobs()).toBeGreaterThanOrEqual(3);
  });

  it('places days by local time across both DST changes', async () => {
    t.clock.set('2026-03-01T12:00:00Z');
    const user = await registerUser(t, { time_zone: 'America/New_York' });
    // 23:30 every evening around the spring change (8 March), plus 00:30 on the 8th: the
    // 8th is one day, whatever the offset did that night.
    await recordAll(t, user, [
      ...daily(['2026-03-07', '2026-03-08'], '04:30:00Z'), // 23:30 EST on the 6th and 7th
      { at: '2026-03-08T05:30:00Z', code: 'joy', intensity: 6 }, // 00:30 EST on the 8th
      ...daily(['2026-03-09', '2026-03-10', '2026-03-11'], '03:30:00Z'), // 23:30 EDT, 8th-10th
    ]);
    const activities = await activitiesOf(t, user);
    expect(activities.map((a) => a.local_date)).toEqual([
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    t.clock.set('2026-03-11T03:45:00Z'); // 23:45 on the 10th in New York
    expect(await streakOf(t, user)).toMatchObject({
      current_streak: 5,
      longest_streak: 5,
      last_activity_date: '2026-03-10',
      active_today: true,
      next_milestone: 7,
    });

    // The autumn change (1 November) makes a 25-hour day: still one day.
    await recordAll(t, user, [
      { at: '2026-11-01T03:30:00Z', code: 'calm', intensity: 5 }, // 23:30 EDT, 31 October
      { at: '2026-11-01T04:30:00Z', code: 'calm', intensity: 5 }, // 00:30 EDT, 1 November
      { at: '2026-11-02T04:30:00Z', code: 'calm', intensity: 5 }, // 23:30 EST, 1 November
      { at: '2026-11-03T04:30:00Z', code: 'calm', intensity: 5 }, // 23:30 EST, 2 November
    ]);
    t.clock.set('2026-11-03T04:45:00Z');
    expect(await streakOf(t, user)).toMatchObject({
      current_streak: 3,
      last_activity_date: '2026-11-02',
      longest_streak: 5,
    });
  });

  it('keeps the streak through a flight east that skips a calendar date', async () => {
    t.clock.set('2026-05-25T12:00:00Z');
    const user = await registerUser(t, { time_zone: 'America/New_York' });
    // 1-8 June at 22:00 in New York (02:00 UTC the next day).
    await recordAll(
      t,
      user,
      daily(
        ['02', '03', '04', '05', '06', '07', '08', '09'].map((d) => `2026-06-${d}`),
        '02:00:00Z',
      ),
    );
    t.clock.set('2026-06-09T03:00:00Z');
    const token = await freshToken(t, user);
    await setTimeZone(t, token, 'Asia/Tokyo');
    // Wednesday 10 June 20:00 in Tokyo, 32 hours after Monday 22:00 in New York.
    await checkinAt(t, user, '2026-06-10T11:00:00Z');
    const activities = await activitiesOf(t, user);
    expect(activities.at(-2)).toMatchObject({
      local_date: '2026-06-08',
      time_zone: 'America/New_York',
    });
    expect(activities.at(-1)).toMatchObject({ local_date: '2026-06-10', time_zone: 'Asia/Tokyo' });
    expect(await streakOf(t, user)).toMatchObject({
      current_streak: 9,
      freeze_used_on: [],
      freezes_available: 1,
      active_today: true,
    });
  });

  it('counts a date lived twice after a flight west once', async () => {
    t.clock.set('2026-06-01T12:00:00Z');
    const user = await registerUser(t, { time_zone: 'Asia/Tokyo' });
    await checkinAt(t, user, '2026-06-01T23:00:00Z'); // 08:00 on 2 June in Tokyo
    await setTimeZone(t, await freshToken(t, user), 'America/New_York');
    await checkinAt(t, user, '2026-06-02T01:00:00Z'); // 21:00 on 1 June in New York
    const token = await checkinAt(t, user, '2026-06-03T00:00:00Z'); // 20:00 on 2 June in New York
    expect((await activitiesOf(t, user)).map((a) => a.local_date)).toEqual([
      '2026-06-02',
      '2026-06-01',
      '2026-06-02',
    ]);
    expect(await streakOf(t, user)).toMatchObject({
      current_streak: 2,
      longest_streak: 2,
      active_today: true,
    });
    const stats = await t.request('GET', '/v1/progress/statistics', {
      token,
      query: { period: 'week' },
    });
    expect(stats.body.current).toMatchObject({ checkins: 3, active_days: 2 });
  });

  it('places a late offline check-in on its real day and recomputes the streak', async () => {
    t.clock.set('2026-07-01T12:00:00Z');
    const user = await registerUser(t, { time_zone: 'Europe/Madrid' });
    // 1, 2, 4 and 5 July at 09:00 in Madrid (07:00 UTC): the 3rd is missing, no freeze yet.
    await recordAll(
      t,
      user,
      daily(['2026-07-01', '2026-07-02', '2026-07-04', '2026-07-05'], '07:00:00Z'),
    );
    t.clock.set('2026-07-05T18:00:00Z');
    expect(await streakOf(t, user)).toMatchObject({ current_streak: 2, longest_streak: 2 });
    // The phone comes back online with the check-in it kept from the 3rd.
    const late = await t.request('POST', '/v1/emotions', {
      token: await freshToken(t, user),
      body: {
        emotion_type_id: await emotionId(t, 'hope'),
        intensity: 4,
        context: 'daily_checkin',
        created_at: '2026-07-03T20:00:00Z',
      },
    });
    expect(late.status, late.raw).toBe(201);
    expect(await streakOf(t, user)).toMatchObject({ current_streak: 5, longest_streak: 5 });
  });

  it('covers a single gap day with an earned freeze, not two', async () => {
    t.clock.set('2026-08-01T12:00:00Z');
    const user = await registerUser(t, { time_zone: 'America/Mexico_City' });
    const days = ['01', '02', '03', '04', '05', '06', '07', '09', '10'].map((d) => `2026-08-${d}`);
    await recordAll(t, user, daily(days, '18:00:00Z'));
    t.clock.set('2026-08-10T20:00:00Z');
    expect(await streakOf(t, user)).toEqual({
      current_streak: 9,
      longest_streak: 9,
      last_activity_date: '2026-08-10',
      active_today: true,
      next_milestone: 14,
      freezes_available: 0,
      freeze_used_on: ['2026-08-08'],
    });
    // Two quiet days later, with no freeze left, the streak is over; the record remains.
    t.clock.set('2026-08-13T20:00:00Z');

    expect(await streakOf(t, user)).toMatchObject({
      current_streak: 0,
      longest_streak: 9,
      active_today: false,
    });
  });

  it('shows nobody else’s activity, and needs a token', async () => {
    t.clock.set('2026-09-01T12:00:00Z');
    const busy = await registerUser(t);
    await checkinAt(t, busy, '2026-09-01T13:00:00Z');
    const quiet = await registerUser(t);
    await freshToken(t, quiet);
    expect(await streakOf(t, quiet)).toMatchObject({ current_streak: 0, last_activity_date: null });
    expect(await count(t, 'user_activities', sql`user_id = ${quiet.id}`)).toBe(0);
    const anonymous = await t.request('GET', '/v1/progress/streak');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
  });
});
