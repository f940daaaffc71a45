// Analytics checked against values computed by hand on fixed data sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';
import { emotionId, freshToken, recordAll, type FixtureCheckin } from '../helpers/emotions.ts';

let t: TestApp;
const ids: Record<string, number> = {};
beforeAll(async () => {
  t = await createTestApp({ start: '2026-06-10T12:00:00Z' });
  for (const code of ['joy', 'calm', 'sadness', 'anxiety']) ids[code] = await emotionId(t, code);
});
afterAll(() => t.close());

describe('a user west of UTC (Bogotá, UTC-5)', () => {
  let token: string;
  beforeAll(async () => {
    const user = await registerUser(t, { time_zone: 'America/Bogota' });
    token = await recordAll(t, user, [
      { at: '2026-06-01T13:00:00Z', code: 'joy', intensity: 8 }, // 08:00 on June 1
      { at: '2026-06-02T01:00:00Z', code: 'calm', intensity: 6 }, // 20:00 on June 1
      { at: '2026-06-02T14:00:00Z', code: 'sadness', intensity: 4 }, // 09:00 on June 2
      { at: '2026-06-04T04:30:00Z', code: 'joy', intensity: 10 }, // 23:30 on June 3
    ]);
  });

  it('distributes by emotion and category over local days', async () => {
    const response = await t.request('GET', '/v1/emotions/distribution', {
      token,
      query: { from: '2026-06-01', to: '2026-06-04' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      from: '2026-06-01',
      to: '2026-06-04',
      total: 4,
      emotions: [
        { emotion_type_id: ids.joy, count: 2, share: 0.5, mean_intensity: 9 },
        { emotion_type_id: ids.calm, count: 1, share: 0.25, mean_intensity: 6 },
        { emotion_type_id: ids.sadness, count: 1, share: 0.25, mean_intensity: 4 },
      ],
      categories: [
        { category: 'positive', count: 3, share: 0.75 },
        { category: 'neutral', count: 0, share: 0 },
        { category: 'negative', count: 1, share: 0.25 },
      ],
    });
  });

  it('puts a late-evening check-in on its local day, not the UTC one', async () => {
    const june2 = await t.request('GET', '/v1/emotions/distribution', {
      token,
      query: { from: '2026-06-02', to: '2026-06-02' },
    });
    expect(june2.body.total).toBe(1);
    expect(june2.body.emotions).toEqual([
      { emotion_type_id: ids.sadness, count: 1, share: 1, mean_intensity: 4 },
    ]);
  });

  it('buckets by day, empty days included', async () => {
    const response = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'day', from: '2026-06-01', to: '2026-06-04' },
    });
    expect(response.status).toBe(200);
    expect(response.body.buckets).toEqual([
      {
        start: '2026-06-01',
        count: 2,
        mean_intensity: 7,
        mean_valence: 0.725,
        dominant_emotion_type_id: ids.joy,
      },
      {
        start: '2026-06-02',
        count: 1,
        mean_intensity: 4,
        mean_valence: -0.7,
        dominant_emotion_type_id: ids.sadness,
      },
      {
        start: '2026-06-03',
        count: 1,
        mean_intensity: 10,
        mean_valence: 0.85,
        dominant_emotion_type_id: ids.joy,
      },
      {
        start: '2026-06-04',
        count: 0,
        mean_intensity: null,
        mean_valence: null,
        dominant_emotion_type_id: null,
      },
    ]);
    expect(response.body.direction).toEqual({
      label: 'insufficient_data',
      slope_per_day: null,
      confidence: null,
      sample_size: 4,
      days_with_data: 3,
    });
  });

  it('buckets by ISO week and by month, and filters by emotion', async () => {
    const week = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'week', from: '2026-06-01', to: '2026-06-10' },
    });
    expect(week.body.buckets).toEqual([
      {
        start: '2026-06-01',
        count: 4,
        mean_intensity: 7,
        mean_valence: 0.4,
        dominant_emotion_type_id: ids.joy,
      },
      {
        start: '2026-06-08',
        count: 0,
        mean_intensity: null,
        mean_valence: null,
        dominant_emotion_type_id: null,
      },
    ]);
    const month = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'month', from: '2026-05-20', to: '2026-06-10', emotion_type_ids: [ids.joy] },
    });
    expect(month.body.buckets).toEqual([
      {
        start: '2026-05-01',
        count: 0,
        mean_intensity: null,
        mean_valence: null,
        dominant_emotion_type_id: null,
      },
      {
        start: '2026-06-01',
        count: 2,
        mean_intensity: 9,
        mean_valence: 0.85,
        dominant_emotion_type_id: ids.joy,
      },
    ]);
  });

  it('profiles days of the week and parts of the day', async () => {
    const response = await t.request('POST', '/v1/emotions/patterns', {
      token,
      body: { from: '2026-06-01', to: '2026-06-07' },
    });
    expect(response.status).toBe(200);
    const days = response.body.day_of_week;
    expect(days).toHaveLength(7);
    expect(days[0]).toEqual({
      iso_day: 1,
      count: 2,
      mean_valence: 0.725,
      mean_intensity: 7,
      dominant_emotion_type_id: ids.joy,
    });
    expect(days[1]).toEqual({
      iso_day: 2,
      count: 1,
      mean_valence: -0.7,
      mean_intensity: 4,
      dominant_emotion_type_id: ids.sadness,
    });
    expect(days[2]).toMatchObject({ iso_day: 3, count: 1 });
    expect(days[6]).toEqual({
      iso_day: 7,
      count: 0,
      mean_valence: null,
      mean_intensity: null,
      dominant_emotion_type_id: null,
    });
    const parts = Object.fromEntries(
      response.body.time_of_day.map((p: { part: string; count: number }) => [p.part, p.count]),
    );
    expect(parts).toEqual({ night: 0, morning: 2, afternoon: 0, evening: 2 });
    expect(response.body.recurring_emotions[0]).toEqual({
      emotion_type_id: ids.joy,
      count: 2,
      share: 0.5,
      days: 2,
      usual_time_of_day: 'evening',
    });
    expect(response.body.shifts.journals).toEqual({
      count: 0,
      mean_valence_change: null,
      mean_intensity_change: null,
      mean_affect_change: null,
    });
  });

  it('refuses reversed, too long or malformed ranges', async () => {
    expect(
      (
        await t.request('GET', '/v1/emotions/distribution', {
          token,
          query: { from: '2026-06-04', to: '2026-06-01' },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await t.request('GET', '/v1/emotions/distribution', {
          token,
          query: { from: '2001-01-01', to: '2026-06-01' },
        })
      ).status,
    ).toBe(422);
    expect(
      (await t.request('GET', '/v1/emotions/distribution', { token, query: { from: 'June' } }))
        .status,
    ).toBe(400);
    const tooMany = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'day', from: '2024-01-01', to: '2026-06-01' },
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].pointer).toBe('#/body/period');
    expect(
      (
        await t.request('POST', '/v1/emotions/trends', {
          token,
          body: { period: 'year', from: '2026-06-01', to: '2026-06-02' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('a user in a time zone with DST changes (New York)', () => {
  let token: string;
  beforeAll(async () => {
    const user = await registerUser(t, { time_zone: 'America/New_York' });
    token = await recordAll(t, user, [
      { at: '2026-03-08T04:30:00Z', code: 'calm', intensity: 5 }, // 23:30 EST, March 7
      { at: '2026-03-08T06:30:00Z', code: 'anxiety', intensity: 5 }, // 01:30 EST, March 8
      { at: '2026-03-08T07:30:00Z', code: 'anxiety', intensity: 7 }, // 03:30 EDT, March 8 (02:00 was skipped)
      { at: '2026-03-09T03:30:00Z', code: 'calm', intensity: 3 }, // 23:30 EDT, March 8
      { at: '2026-11-01T05:30:00Z', code: 'joy', intensity: 6 }, // 01:30 EDT, November 1
      { at: '2026-11-01T06:30:00Z', code: 'joy', intensity: 8 }, // 01:30 EST, November 1 (the hour repeats)
    ]);
  });

  it('counts local days across the spring change', async () => {
    const response = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'day', from: '2026-03-07', to: '2026-03-09' },
    });
    expect(
      response.body.buckets.map((b: { start: string; count: number }) => [b.start, b.count]),
    ).toEqual([
      ['2026-03-07', 1],
      ['2026-03-08', 3],
      ['2026-03-09', 0],
    ]);
    const patterns = await t.request('POST', '/v1/emotions/patterns', {
      token,
      body: { from: '2026-03-07', to: '2026-03-09' },
    });
    const parts = Object.fromEntries(
      patterns.body.time_of_day.map((p: { part: string; count: number }) => [p.part, p.count]),
    );
    expect(parts).toEqual({ night: 2, morning: 0, afternoon: 0, evening: 2 });
  });

  it('keeps both check-ins of the repeated autumn hour on their day', async () => {
    const response = await t.request('GET', '/v1/emotions/distribution', {
      token,
      query: { from: '2026-11-01', to: '2026-11-01' },
    });
    expect(response.body.emotions).toEqual([
      { emotion_type_id: ids.joy, count: 2, share: 1, mean_intensity: 7 },
    ]);
  });
});

describe('trend direction', () => {
  const daily = (scores: [string, number][]): FixtureCheckin[] =>
    scores.map(([code, intensity], day) => ({
      at: `2026-05-${String(day + 1).padStart(2, '0')}T12:00:00Z`,
      code,
      intensity,
    }));
  const rising: [string, number][] = [
    ...[8, 7, 6, 5, 4, 3, 2].map((i): [string, number] => ['sadness', i]),
    ...[2, 3, 4, 5, 6, 7, 8].map((i): [string, number] => ['joy', i]),
  ];
  const direction = async (fixtures: FixtureCheckin[]) => {
    const user = await registerUser(t, { time_zone: 'UTC' });
    const token = await recordAll(t, user, fixtures);
    const response = await t.request('POST', '/v1/emotions/trends', {
      token,
      body: { period: 'week', from: '2026-05-01', to: '2026-05-14' },
    });
    return response.body.direction;
  };

  it('says improving when intensity-weighted valence rises (slope computed by hand: 0.102538 a day)', async () => {
    const result = await direction(daily(rising));
    expect(result.label).toBe('improving');
    expect(result.slope_per_day).toBeCloseTo(0.102538, 5);
    expect(result.confidence).toBeGreaterThan(0.99);
    expect(result).toMatchObject({ sample_size: 14, days_with_data: 14 });
  });

  it('says declining for the same days in reverse', async () => {
    const result = await direction(daily([...rising].reverse()));
    expect(result.label).toBe('declining');
    expect(result.slope_per_day).toBeCloseTo(-0.102538, 5);
  });

  it('says stable when there is no direction, and insufficient_data with fewer than 10 check-ins', async () => {
    const flat = await direction(
      daily(Array.from({ length: 12 }, (_, i): [string, number] => [i % 2 ? 'joy' : 'sadness', 5])),
    );
    expect(flat.label).toBe('stable');
    const few = await direction(daily(rising.slice(0, 9)));
    expect(few).toMatchObject({ label: 'insufficient_data', sample_size: 9 });
  });
});

describe('insights and recommendations', () => {
  it('claims nothing from too little data', async () => {
    const user = await registerUser(t, { time_zone: 'UTC', language_preference: 'en' });
    const token = await recordAll(t, user, [
      { at: '2026-06-05T10:00:00Z', code: 'joy', intensity: 5 },
      { at: '2026-06-06T10:00:00Z', code: 'joy', intensity: 5 },
    ]);
    const response = await t.request('GET', '/v1/emotions/insights', { token });
    expect(response.body).toEqual({ language: 'en', items: [] });
  });

  it('states the dominant emotion and a time-of-day difference in the user language, with the numbers', async () => {
    const user = await registerUser(t, { time_zone: 'UTC', language_preference: 'es' });
    const fixtures: FixtureCheckin[] = [];
    for (let day = 1; day <= 6; day++) {
      const date = `2026-06-${String(day + 3).padStart(2, '0')}`;
      fixtures.push(
        { at: `${date}T08:00:00Z`, code: 'calm', intensity: 6 },
        { at: `${date}T20:00:00Z`, code: 'anxiety', intensity: 6 },
      );
    }
    await recordAll(t, user, fixtures);
    t.clock.set('2026-06-10T12:00:00Z');
    const response = await t.request('GET', '/v1/emotions/insights', {
      token: await freshToken(t, user),
    });
    expect(response.body.language).toBe('es');
    const byType = Object.fromEntries(
      response.body.items.map((i: { type: string }) => [i.type, i]),
    );
    expect(byType.dominant_emotion).toMatchObject({
      message:
        'En los últimos 30 días, la emoción que más has nombrado es calma (50 % de tus registros).',
      data: { emotion_type_id: ids.calm, count: 6, total: 12, share: 0.5, days: 30 },
    });
    expect(byType.time_of_day).toMatchObject({
      message: 'Tus registros de la mañana suelen ser más agradables que los de la noche.',
      data: {
        best: { part: 'morning', count: 6, mean_valence: 0.6 },
        worst: { part: 'evening', count: 6, mean_valence: -0.6 },
        difference: 1.2,
      },
    });
    for (const item of response.body.items) {
      expect(item.confidence).toBeGreaterThan(0);
      expect(item.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('rejects an unknown emotion for recommendations (422) and a bad intensity (400)', async () => {
    const user = await registerUser(t);
    expect(
      (
        await t.request('POST', '/v1/emotions/recommendations', {
          token: user.accessToken,
          body: { emotion_type_id: 999, intensity: 5 },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await t.request('POST', '/v1/emotions/recommendations', {
          token: user.accessToken,
          body: { emotion_type_id: ids.joy, intensity: 12 },
        })
      ).status,
    ).toBe(400);
  });

  it('needs a token for every analytics route (401)', async () => {
    expect((await t.request('GET', '/v1/emotions/distribution')).status).toBe(401);
    expect(
      (
        await t.request('POST', '/v1/emotions/trends', {
          body: { period: 'day', from: '2026-06-01', to: '2026-06-02' },
        })
      ).status,
    ).toBe(401);
    expect((await t.request('GET', '/v1/emotions/insights')).status).toBe(401);
  });
});
