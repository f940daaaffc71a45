// Statistics, calendar, trends, insights and the dashboard on a fixed history whose
// figures were computed by hand (the comments say how).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { emotionId, freshToken, recordAll } from '../helpers/emotions.ts';
import { uploadRecording } from '../helpers/journals.ts';
import { toolId } from '../helpers/tools.ts';

let t: TestApp;
let user: TestUser;
let token: string;
let other: TestUser;
const ids: Record<string, number> = {};
let box: string;
let orienting: string;

// Everything happens at 10:00 in Bogotá (15:00 UTC); "today" is Wednesday 20 May 2026.
const at = (day: string) => `2026-${day}T15:00:00Z`;

beforeAll(async () => {
  t = await createTestApp({ start: '2026-03-25T12:00:00Z' });
  user = await registerUser(t, { time_zone: 'America/Bogota', language_preference: 'en' });
  other = await registerUser(t, { time_zone: 'America/Bogota' });
  for (const code of ['joy', 'calm', 'anxiety', 'sadness']) ids[code] = await emotionId(t, code);
  await recordAll(t, user, [
    { at: at('04-01'), code: 'calm', intensity: 5 },
    // previous week (7-13 May): 2 check-ins
    { at: at('05-08'), code: 'sadness', intensity: 6 },
    { at: at('05-10'), code: 'sadness', intensity: 4 },
    // this week (14-20 May): 4 check-ins
    { at: at('05-14'), code: 'joy', intensity: 7 },
    { at: at('05-15'), code: 'calm', intensity: 5 },
    { at: at('05-18'), code: 'joy', intensity: 6 },
    { at: at('05-20'), code: 'anxiety', intensity: 8 },
  ]);
  t.clock.set('2026-05-20T22:00:00Z'); // 17:00 in Bogotá
  token = await freshToken(t, user);
  for (const [day, seconds] of [
    ['05-09', 600],
    ['05-15', 300],
    ['05-19', 150],
  ] as const) {
    await uploadRecording(t, token, { recorded_at: at(day), duration_seconds: seconds });
  }
  box = await toolId(t, user, 'box-breathing', token);
  orienting = await toolId(t, user, 'orienting', token);
  for (const [tool, day, status] of [
    [box, '05-16', 'completed'],
    [box, '05-19', 'partial'],
    [orienting, '05-20', 'completed'],
  ] as const) {
    const response = await t.request('POST', `/v1/tools/${tool}/usage`, {
      token,
      body: {
        started_at: at(day),
        duration_seconds: 120,
        completion_status: status,
        ...(status === 'completed' ? { completed_at: `2026-${day}T15:02:00Z` } : {}),
      },
    });
    expect(response.status, response.raw).toBe(201);
  }
  await t.drainJobs();
});
afterAll(() => t.close());

const get = (url: string, query?: Record<string, string | number>, as = token) =>
  t.request('GET', url, { token: as, ...(query ? { query } : {}) });

describe('GET /v1/progress/statistics', () => {
  it('sums the last 7 local days against the 7 before', async () => {
    const response = await get('/v1/progress/statistics', { period: 'week' });
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toEqual({
      period: 'week',
      current: {
        from: '2026-05-14',
        to: '2026-05-20',
        journals: 2,
        journal_minutes: 8, // 300 s + 150 s = 7.5 minutes, rounded
        checkins: 4,
        tools_used: 3,
        tools_completed: 2,
        active_days: 6, // 14, 15, 16, 18, 19, 20
        most_used_tools: [
          { tool_id: box, name: 'Box breathing', count: 2 },
          { tool_id: orienting, name: expect.any(String), count: 1 },
        ],
        most_frequent_emotions: [
          { emotion_type_id: ids.joy, count: 2 },
          ...[ids.calm!, ids.anxiety!]
            .sort((a, b) => String(a).localeCompare(String(b)))
            .map((id) => ({ emotion_type_id: id, count: 1 })),
        ],
      },
      previous: {
        from: '2026-05-07',
        to: '2026-05-13',
        journals: 1,
        journal_minutes: 10,
        checkins: 2,
        tools_used: 0,
        tools_completed: 0,
        active_days: 3, // 8, 9, 10
        most_used_tools: [],
        most_frequent_emotions: [{ emotion_type_id: ids.sadness, count: 2 }],
      },
      change: { journals: 1, journal_minutes: -2, checkins: 2, tools_used: 3, active_days: 3 },
    });
  });

  it('covers all time without a comparison', async () => {
    const response = await get('/v1/progress/statistics', { period: 'all' });
    expect(response.body.previous).toBeNull();
    expect(response.body.change).toBeNull();
    expect(response.body.current).toMatchObject({
      from: null,
      to: '2026-05-20',
      journals: 3,
      journal_minutes: 18, // 1050 s = 17.5 minutes
      checkins: 7,
      tools_used: 3,
      active_days: 10, // 1 April plus the nine days of May
    });
  });

  it('defaults to the last 30 days', async () => {
    const response = await get('/v1/progress/statistics');
    expect(response.body.period).toBe('month');
    expect(response.body.current).toMatchObject({
      from: '2026-04-21',
      checkins: 6,
      active_days: 9,
    });
    expect(response.body.previous).toMatchObject({
      from: '2026-03-22',
      to: '2026-04-20',
      checkins: 1,
    });
  });

  it('refuses an unknown period with a problem document', async () => {
    const response = await get('/v1/progress/statistics', { period: 'decade' });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.errors[0].pointer).toBe('#/query/period');
  });

  it('shows another user only their own (empty) figures', async () => {
    const response = await get(
      '/v1/progress/statistics',
      { period: 'all' },
      await freshToken(t, other),
    );
    expect(response.body.current).toMatchObject({
      journals: 0,
      checkins: 0,
      tools_used: 0,
      active_days: 0,
    });
    expect(response.body.current.most_used_tools).toEqual([]);
  });
});

describe('GET /v1/progress/calendar', () => {
  it('gives every local day of the year its activity count and dominant emotion', async () => {
    const response = await get('/v1/progress/calendar', { year: 2026 });
    expect(response.status, response.raw).toBe(200);
    expect(response.body.year).toBe(2026);
    expect(response.body.days).toHaveLength(365);
    const day = (date: string) => response.body.days.find((d: { date: string }) => d.date === date);
    expect(day('2026-01-01')).toEqual({
      date: '2026-01-01',
      activity_count: 0,
      dominant_emotion_type_id: null,
      color: null,
    });
    expect(day('2026-05-15')).toEqual({
      date: '2026-05-15',
      activity_count: 2,
      dominant_emotion_type_id: ids.calm,
      color: '#8CCBB8',
    });
    expect(day('2026-05-16')).toEqual({
      date: '2026-05-16',
      activity_count: 1,
      dominant_emotion_type_id: null,
      color: null,
    });
    const total = response.body.days.reduce(
      (s: number, d: { activity_count: number }) => s + d.activity_count,
      0,
    );
    expect(total).toBe(13); // 7 check-ins, 3 journals, 3 tool sessions
  });

  it('defaults to the current local year and refuses an impossible one', async () => {
    expect((await get('/v1/progress/calendar')).body.year).toBe(2026);
    const bad = await get('/v1/progress/calendar', { year: 1999 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('#/query/year');
  });

  it('is empty for another user', async () => {
    const response = await get('/v1/progress/calendar', { year: 2026 }, await freshToken(t, other));
    expect(
      response.body.days.every((d: { activity_count: number }) => d.activity_count === 0),
    ).toBe(true);
  });
});

describe('GET /v1/progress/trends', () => {
  it('gives 12 weekly buckets of emotions and activity, Monday to Sunday', async () => {
    const response = await get('/v1/progress/trends');
    expect(response.status, response.raw).toBe(200);
    expect(response.body.from).toBe('2026-03-02');
    expect(response.body.to).toBe('2026-05-20');
    expect(response.body.activity).toHaveLength(12);
    expect(response.body.activity.slice(-3)).toEqual([
      { week: '2026-05-04', checkins: 2, journals: 1, tools: 0 },
      { week: '2026-05-11', checkins: 2, journals: 1, tools: 1 },
      { week: '2026-05-18', checkins: 2, journals: 1, tools: 2 },
    ]);
    expect(response.body.emotional.at(-1)).toEqual({
      week: '2026-05-18',
      checkins: 2,
      mean_intensity: 7, // (6 + 8) / 2
      mean_valence: expect.any(Number),
    });
    expect(response.body.emotional[0]).toEqual({
      week: '2026-03-02',
      checkins: 0,
      mean_intensity: null,
      mean_valence: null,
    });
    expect(response.body.emotional_direction).toBe('insufficient_data');
  });
});

describe('GET /v1/progress/insights', () => {
  it('speaks only from enough data, in the user’s language, with the numbers', async () => {
    const response = await get('/v1/progress/insights');
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toEqual({
      language: 'en',
      items: [
        {
          type: 'streak',
          message: 'You have looked after yourself 3 days in a row. Your longest streak is 3 days.',
          data: { current_streak: 3, longest_streak: 3 },
        },
        {
          type: 'consistency',
          message: 'You made time for yourself on 9 of the last 30 days.',
          data: { active_days: 9, days: 30 },
        },
      ],
    });
  });

  it('says nothing to a user with no history', async () => {
    const response = await get('/v1/progress/insights', undefined, await freshToken(t, other));
    expect(response.body).toEqual({ language: 'es', items: [] });
  });
});

describe('GET /v1/progress/dashboard', () => {
  it('has the home screen in one answer', async () => {
    const response = await get('/v1/progress/dashboard');
    expect(response.status, response.raw).toBe(200);
    const body = response.body;
    expect(body.streak).toMatchObject({ current_streak: 3, active_today: true });
    expect(body.checked_in_today).toBe(true);
    expect(body.recent_emotions).toEqual([
      { emotion_type_id: ids.anxiety, intensity: 8, created_at: '2026-05-20T15:00:00.000Z' },
      { emotion_type_id: ids.joy, intensity: 6, created_at: '2026-05-18T15:00:00.000Z' },
      { emotion_type_id: ids.calm, intensity: 5, created_at: '2026-05-15T15:00:00.000Z' },
      { emotion_type_id: ids.joy, intensity: 7, created_at: '2026-05-14T15:00:00.000Z' },
      { emotion_type_id: ids.sadness, intensity: 4, created_at: '2026-05-10T15:00:00.000Z' },
    ]);
    // Closest to earned: 7 of 10 check-ins, 2 of 3 tool categories, 4 of 8 emotions.
    expect(
      body.next_achievements.map((a: { code: string; progress: object }) => [a.code, a.progress]),
    ).toEqual([
      ['checkins-10', { current: 7, target: 10 }],
      ['tool-categories-3', { current: 2, target: 3 }],
      ['distinct-emotions-8', { current: 4, target: 8 }],
    ]);
    // Anxiety at 8 was the last feeling: a tool for it, with its reason.
    expect(body.recommended_tool).toMatchObject({
      tool_id: expect.any(String),
      name: expect.any(String),
    });
    expect(body.recommended_tool.reason.length).toBeGreaterThan(10);
  });

  it('is calm and empty for a new user', async () => {
    const response = await get('/v1/progress/dashboard', undefined, await freshToken(t, other));
    expect(response.body).toMatchObject({
      streak: { current_streak: 0 },
      checked_in_today: false,
      recent_emotions: [],
      recommended_tool: null,
    });
    expect(response.body.next_achievements).toHaveLength(3);
  });
});
