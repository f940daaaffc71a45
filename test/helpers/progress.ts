// Progress fixtures: activity made through the real API at chosen moments of the test clock.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { TestUser } from './users.ts';
import { emotionId, freshToken } from './emotions.ts';
import { rows } from './db.ts';

/** Moves the clock to `at`, then checks in live (no back-dating); returns the token used. */
export async function checkinAt(
  t: TestApp,
  user: TestUser,
  at: string,
  code = 'calm',
  intensity = 5,
): Promise<string> {
  t.clock.set(at);
  const token = await freshToken(t, user);
  const response = await t.request('POST', '/v1/emotions', {
    token,
    body: { emotion_type_id: await emotionId(t, code), intensity, context: 'daily_checkin' },
  });
  expect(response.status, response.raw).toBe(201);
  return token;
}

/** The user's activities as stored, oldest first. */
export function activitiesOf(t: TestApp, user: TestUser) {
  return rows<{
    kind: string;
    local_date: string;
    time_zone: string;
    metadata: Record<string, unknown>;
  }>(
    t,
    sql`select t.code as kind, a.local_date::text as local_date, a.time_zone, a.metadata
        from user_activities a join activity_types t on t.id = a.activity_type_id
        where a.user_id = ${user.id} order by a.occurred_at, t.code`,
  );
}

/** The streak as the user sees it at the test clock's current time. */
export async function streakOf(t: TestApp, user: TestUser) {
  const token = await freshToken(t, user);
  const response = await t.request('GET', '/v1/progress/streak', { token });
  expect(response.status, response.raw).toBe(200);
  return response.body;
}

export async function setTimeZone(t: TestApp, token: string, timeZone: string): Promise<void> {
  const response = await t.request('PATCH', '/v1/users/me', {
    token,
    body: { time_zone: timeZone },
  });
  expect(response.status, response.raw).toBe(200);
}
