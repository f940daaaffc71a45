// Achievements: one engine over criteria as data; each awarded exactly once, even when
// evaluations race; locked ones show how far the user is.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { rows } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { emotionId, freshToken, recordAll } from '../helpers/emotions.ts';
import { uploadRecording } from '../helpers/journals.ts';
import { toolId } from '../helpers/tools.ts';
import type { AchievementEarnedEvent } from '../../src/modules/progress/service.ts';

let t: TestApp;
const earnedEvents: AchievementEarnedEvent[] = [];
beforeAll(async () => {
  t = await createTestApp({ start: '2026-02-01T12:00:00Z' });
  t.platform.events.on('progress.achievement-earned', async (_tx, event) => {
    earnedEvents.push(event);
  });
});
afterAll(() => t.close());

interface AchievementItem {
  code: string;
  name: string;
  earned: boolean;
  earned_at: string | null;
  criteria: Record<string, unknown>;
  progress: { current: number; target: number };
}

async function achievementsOf(user: TestUser) {
  const response = await t.request('GET', '/v1/progress/achievements', {
    token: await freshToken(t, user),
  });
  expect(response.status, response.raw).toBe(200);
  return response.body as {
    language: string;
    earned: AchievementItem[];
    locked: AchievementItem[];
  };
}

const awardedRows = (user: TestUser) =>
  rows<{ code: string; n: number }>(
    t,
    sql`select a.code, count(*)::int as n from user_achievements u
        join achievement_types a on a.id = u.achievement_type_id
        where u.user_id = ${user.id} group by a.code order by a.code`,
  );

describe('the achievement catalog', () => {
  it('shows every achievement locked, with progress, in the user’s language', async () => {
    const user = await registerUser(t, { language_preference: 'en' });
    const { language, earned, locked } = await achievementsOf(user);
    expect(language).toBe('en');
    expect(earned).toEqual([]);
    expect(locked.length).toBeGreaterThanOrEqual(15);
    const first = locked.find((a) => a.code === 'first-checkin');
    expect(first).toMatchObject({
      name: 'Your first check-in',
      earned: false,
      earned_at: null,
      criteria: { kind: 'count', activity: 'checkin', n: 1 },
      progress: { current: 0, target: 1 },
    });
    const kinds = new Set(locked.map((a) => a.criteria.kind));
    expect([...kinds].sort()).toEqual([
      'active_days',
      'count',
      'distinct_emotions',
      'distinct_tools',
      'journal_minutes',
      'streak',
      'tool_categories',
    ]);
  });
});

describe('awarding', () => {
  let user: TestUser;
  const expected = [
    'active-days-30',
    'checkins-10',
    'distinct-emotions-8',
    'distinct-tools-5',
    'first-checkin',
    'first-journal',
    'first-tool',
    'journal-minutes-60',
    'streak-14',
    'streak-3',
    'streak-30',
    'streak-7',
    'tool-categories-3',
  ];

  beforeAll(async () => {
    t.clock.set('2026-02-01T12:00:00Z');
    user = await registerUser(t, { time_zone: 'America/Bogota', language_preference: 'es' });
    // 30 days of check-ins (1-30 March, 19:00 in Bogotá) cycling through 8 emotions.
    const codes = ['joy', 'calm', 'gratitude', 'hope', 'sadness', 'anxiety', 'tiredness', 'pride'];
    const days = Array.from({ length: 30 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
    await recordAll(
      t,
      user,
      days.map((day, i) => ({ at: `${day}T23:55:00Z`, code: codes[i % 8]!, intensity: 5 })),
    );
    t.clock.set('2026-03-31T00:30:00Z'); // 19:30 on 30 March in Bogotá
    const token = await freshToken(t, user);
    // Two half-hour journals (60 minutes) and five tools from three categories.
    await uploadRecording(t, token, { duration_seconds: 1800 });
    await uploadRecording(t, token, { duration_seconds: 1800 });
    for (const code of [
      'box-breathing',
      'belly-breathing',
      'orienting',
      'object-anchor',
      'body-scan',
    ]) {
      const response = await t.request(
        'POST',
        `/v1/tools/${await toolId(t, user, code, token)}/usage`,
        {
          token,
          body: {
            started_at: '2026-03-31T00:00:00Z',
            duration_seconds: 60,
            completion_status: 'partial',
          },
        },
      );
      expect(response.status, response.raw).toBe(201);
    }
  });

  it('awards each met criterion exactly once when evaluations race', async () => {
    const before = earnedEvents.length;
    // Eight evaluations at once (as eight workers picking up eight jobs would).
    const awarded = await Promise.all(
      Array.from({ length: 8 }, () => t.modules.progress.evaluate(user.id)),
    );
    expect(awarded.reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(await awardedRows(user)).toEqual(expected.map((code) => ({ code, n: 1 })));
    const events = earnedEvents.slice(before).filter((e) => e.userId === user.id);
    expect(events.map((e) => e.code).sort()).toEqual(expected);

    // The jobs the writes enqueued find nothing left to award.
    await t.drainJobs();
    expect(await awardedRows(user)).toEqual(expected.map((code) => ({ code, n: 1 })));
    expect(earnedEvents.filter((e) => e.userId === user.id)).toHaveLength(expected.length);
  });

  it('lists earned achievements with their date and locked ones with progress', async () => {
    const { language, earned, locked } = await achievementsOf(user);
    expect(language).toBe('es');
    expect(earned.map((a) => a.code).sort()).toEqual(expected);
    for (const item of earned) {
      expect(item.earned_at).toBe('2026-03-31T00:30:00.000Z');
      expect(item.progress.current).toBe(item.progress.target);
    }
    expect(earned.find((a) => a.code === 'first-checkin')?.name).toBe('Tu primer registro');
    const progressOf = (code: string) => locked.find((a) => a.code === code)?.progress;
    expect(progressOf('streak-60')).toEqual({ current: 30, target: 60 });
    expect(progressOf('checkins-50')).toEqual({ current: 30, target: 50 });
    expect(progressOf('distinct-tools-15')).toEqual({ current: 5, target: 15 });
    expect(progressOf('tool-categories-6')).toEqual({ current: 3, target: 6 });
    expect(progressOf('journals-10')).toEqual({ current: 2, target: 10 });
    expect(progressOf('active-days-100')).toEqual({ current: 30, target: 100 });
    expect(progressOf('tools-25')).toEqual({ current: 5, target: 25 });
  });

  it('awards once when many check-ins arrive at the same moment', async () => {
    t.clock.set('2026-04-10T15:00:00Z');
    const newcomer = await registerUser(t);
    const calm = await emotionId(t, 'calm');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.request('POST', '/v1/emotions', {
          token: newcomer.accessToken,
          body: { emotion_type_id: calm, intensity: 4, context: 'standalone' },
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    await t.drainJobs();
    expect(await awardedRows(newcomer)).toEqual([
      { code: 'checkins-10', n: 1 },
      { code: 'first-checkin', n: 1 },
    ]);
    expect(
      earnedEvents
        .filter((e) => e.userId === newcomer.id)
        .map((e) => e.code)
        .sort(),
    ).toEqual(['checkins-10', 'first-checkin']);
  });
});
