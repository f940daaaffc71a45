// Deletion by category: DELETE /v1/emotions (every check-in and what was derived from them)
// and DELETE /v1/journals (every recording, its objects and export links). Both need a
// fresh re-authentication, are audited, and leave the other modules' data and the other
// users' data as they were. Progress keeps the days the user showed up (streaks and earned
// achievements stay) but no longer points at the deleted rows.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { sealed } from '../helpers/envelopes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count, rows } from '../helpers/db.ts';
import { emotionId } from '../helpers/emotions.ts';
import { objectsOf, uploadRecording } from '../helpers/journals.ts';
import { toolId } from '../helpers/tools.ts';
import { login, registerUser, stepUp, type TestUser } from '../helpers/users.ts';

const problem = (code: string) => `https://amirawellness.com/problems/${code}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-09-01T12:00:00Z' });
});
afterAll(() => t.close());

async function checkIn(user: TestUser, extra: Record<string, unknown> = {}, key?: string) {
  const response = await t.request('POST', '/v1/emotions', {
    token: user.accessToken,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
    body: {
      emotion_type_id: await emotionId(t, 'anxiety'),
      intensity: 6,
      context: 'standalone',
      ...extra,
    },
  });
  expect(response.status, response.raw).toBe(201);
  return response.body as { id: string };
}

async function useTool(user: TestUser, key?: string) {
  const tool = await toolId(t, user, 'box-breathing');
  const response = await t.request('POST', `/v1/tools/${tool}/usage`, {
    token: user.accessToken,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
    body: {
      started_at: new Date(t.clock.now().getTime() - 60_000).toISOString(),
      duration_seconds: 60,
      completion_status: 'partial',
    },
  });
  expect(response.status, response.raw).toBe(201);
  return { tool, usage: response.body as { id: string } };
}

const activitiesOf = (user: TestUser) =>
  rows<{ kind: string; related_entity_id: string; metadata: Record<string, unknown> }>(
    t,
    sql`select k.code as kind, a.related_entity_id, a.metadata
        from user_activities a join activity_types k on k.id = a.activity_type_id
        where a.user_id = ${user.id} order by a.occurred_at, k.code`,
  );

const eventsOf = (user: TestUser, type: string) =>
  rows<{ metadata: Record<string, unknown> }>(
    t,
    sql`select metadata from security_events where user_id = ${user.id} and type = ${type}`,
  );

async function get(user: TestUser, url: string) {
  const response = await t.request('GET', url, { token: user.accessToken });
  expect(response.status, `${url}: ${response.raw}`).toBe(200);
  return response.body;
}

describe.each([
  ['DELETE', '/v1/emotions'],
  ['DELETE', '/v1/journals'],
])('%s %s access', (method, url) => {
  it('needs a token (401) and a fresh re-authentication (401 reauthentication-required)', async () => {
    const user = await registerUser(t);
    await checkIn(user);
    await uploadRecording(t, user.accessToken);
    expect((await t.request(method, url)).status).toBe(401);
    const refused = await t.request(method, url, { token: user.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe(problem('reauthentication-required'));
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(1);
    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(1);
    expect(await objectsOf(t, user.id)).toHaveLength(1);
  });
});

describe('DELETE /v1/emotions', () => {
  it('deletes every check-in and what was derived from them, and keeps the rest', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const checkinKey = `checkin-${randomUUID()}`;
    const note = await sealed('checkin.notes', 'no pude dormir');
    const noted = await checkIn(user, { id: note.id, notes: note.envelope }, checkinKey);
    await checkIn(user, { context: 'daily_checkin' });
    const { journal } = await uploadRecording(t, user.accessToken, {
      pre_checkin: { emotion_type_id: await emotionId(t, 'sadness'), intensity: 7 },
    });
    const usageKey = `usage-${randomUUID()}`;
    const { tool, usage } = await useTool(user, usageKey);
    await t.request('PUT', `/v1/tools/${tool}/favorite`, { token: user.accessToken });
    const theirs = await checkIn(other);
    await t.drainJobs(); // achievements
    const checkinIds = (
      await rows<{ id: string }>(t, sql`select id from checkins where user_id = ${user.id}`)
    ).map((r) => r.id);
    expect(checkinIds).toHaveLength(3);
    const streakBefore = await get(user, '/v1/progress/streak');
    const earnedBefore = (await get(user, '/v1/progress/achievements')).earned;
    expect(earnedBefore.length).toBeGreaterThan(0);
    const activitiesBefore = await activitiesOf(user);
    expect(activitiesBefore.filter((a) => a.kind === 'checkin')).toHaveLength(3);

    await stepUp(t, user);
    const response = await t.request('DELETE', '/v1/emotions', { token: user.accessToken });
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toEqual({ deleted: 3 });

    // The check-ins are gone, and so is what the analytics would say about them.
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(0);
    expect((await get(user, '/v1/emotions')).items).toEqual([]);
    expect(
      (await t.request('GET', `/v1/emotions/${noted.id}`, { token: user.accessToken })).status,
    ).toBe(404);
    expect((await get(user, '/v1/emotions/distribution')).total).toBe(0);
    // Nothing anywhere still holds the note (its envelope).
    const held = await rows<{ n: number }>(
      t,
      sql`select count(*)::int as n from idempotency_keys where strpos(response::text, ${note.envelope}) > 0`,
    );
    expect(held[0]!.n).toBe(0);

    // A retry of the deleted check-in's creation does not bring it back.
    const retry = await t.request('POST', '/v1/emotions', {
      token: user.accessToken,
      headers: { 'idempotency-key': checkinKey },
      body: {
        emotion_type_id: await emotionId(t, 'anxiety'),
        intensity: 6,
        context: 'standalone',
        id: note.id,
        notes: note.envelope,
      },
    });
    expect(retry.status).toBe(410);
    expect(retry.body.type).toBe(problem('idempotent-result-deleted'));
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(0);
    // Other creations still replay as before.
    const replayed = await t.request('POST', `/v1/tools/${tool}/usage`, {
      token: user.accessToken,
      headers: { 'idempotency-key': usageKey },
      body: {
        started_at: new Date(t.clock.now().getTime() - 60_000).toISOString(),
        duration_seconds: 60,
        completion_status: 'partial',
      },
    });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.id).toBe(usage.id);

    // Journals and tools stay; the journal no longer shows the deleted check-in.
    const detail = await get(user, `/v1/journals/${journal.id}`);
    expect(detail.checkins).toEqual({ pre: null, post: null, others: [] });
    expect(await count(t, 'tool_usage', sql`user_id = ${user.id}`)).toBe(1);
    expect(await count(t, 'tool_favorites', sql`user_id = ${user.id}`)).toBe(1);

    // Progress keeps the days and the earned achievements, not the emotions or the links.
    expect(await get(user, '/v1/progress/streak')).toEqual(streakBefore);
    expect((await get(user, '/v1/progress/achievements')).earned).toEqual(earnedBefore);
    const activitiesAfter = await activitiesOf(user);
    expect(activitiesAfter).toHaveLength(activitiesBefore.length);
    for (const activity of activitiesAfter.filter((a) => a.kind === 'checkin')) {
      expect(activity.metadata).not.toHaveProperty('emotion_type_id');
      expect(checkinIds).not.toContain(activity.related_entity_id);
    }
    expect(activitiesAfter.filter((a) => a.kind !== 'checkin')).toEqual(
      activitiesBefore.filter((a) => a.kind !== 'checkin'),
    );

    expect(await eventsOf(user, 'checkins_deleted')).toEqual([{ metadata: { count: 3 } }]);
    // The other user's check-in is untouched.
    expect(
      (await t.request('GET', `/v1/emotions/${theirs.id}`, { token: other.accessToken })).status,
    ).toBe(200);

    // Nothing left to delete: still a 200.
    const again = await t.request('DELETE', '/v1/emotions', { token: user.accessToken });
    expect(again.body).toEqual({ deleted: 0 });
  });
});

describe('DELETE /v1/journals', () => {
  it('deletes every recording (the trash included), its objects and export links, and keeps the rest', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const { journal: kept } = await uploadRecording(t, user.accessToken, {
      pre_checkin: { emotion_type_id: await emotionId(t, 'sadness'), intensity: 7 },
    });
    await uploadRecording(t, user.accessToken);
    const { journal: trashed } = await uploadRecording(t, user.accessToken);
    await t.request('DELETE', `/v1/journals/${trashed.id}`, { token: user.accessToken });
    const exported = await t.request('POST', `/v1/journals/${kept.id}/export`, {
      token: user.accessToken,
    });
    expect(exported.status, exported.raw).toBe(200);
    const link = new URL(exported.body.url as string);
    expect((await t.request('GET', link.pathname)).status).toBe(200);
    await checkIn(user);
    await useTool(user);
    const { journal: theirs } = await uploadRecording(t, other.accessToken);
    await t.drainJobs();
    const journalIds = (
      await rows<{ id: string }>(t, sql`select id from journals where user_id = ${user.id}`)
    ).map((r) => r.id);
    expect(journalIds).toHaveLength(3);
    expect(await objectsOf(t, user.id)).toHaveLength(3);
    const streakBefore = await get(user, '/v1/progress/streak');
    const activitiesBefore = await activitiesOf(user);

    await stepUp(t, user);
    const response = await t.request('DELETE', '/v1/journals', { token: user.accessToken });
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toEqual({ deleted: 3 });

    expect(await count(t, 'journals', sql`user_id = ${user.id}`)).toBe(0);
    expect(await count(t, 'audio_metadata', sql`user_id = ${user.id}`)).toBe(0);
    expect((await get(user, '/v1/journals')).items).toEqual([]);
    expect(
      (await t.request('GET', `/v1/journals/${kept.id}`, { token: user.accessToken })).status,
    ).toBe(404);
    expect(
      (await t.request('POST', `/v1/journals/${trashed.id}/restore`, { token: user.accessToken }))
        .status,
    ).toBe(404);
    // The stored objects and the export bundle are gone; the link no longer works.
    expect(await objectsOf(t, user.id)).toEqual([]);
    const exportsLeft: string[] = [];
    for await (const object of t.platform.storage.list(`exports/${user.id}/`))
      exportsLeft.push(object.key);
    expect(exportsLeft).toEqual([]);
    expect((await t.request('GET', link.pathname)).status).toBe(410);

    // The check-ins stay (the one recorded before the journal loses its link), tools too.
    expect(await count(t, 'checkins', sql`user_id = ${user.id}`)).toBe(2);
    expect(
      await count(t, 'checkins', sql`user_id = ${user.id} and related_journal_id is not null`),
    ).toBe(0);
    expect(await count(t, 'tool_usage', sql`user_id = ${user.id}`)).toBe(1);
    // Progress keeps the days and the minutes, not the links.
    expect(await get(user, '/v1/progress/streak')).toEqual(streakBefore);
    const activitiesAfter = await activitiesOf(user);
    expect(activitiesAfter).toHaveLength(activitiesBefore.length);
    for (const activity of activitiesAfter.filter((a) => a.kind === 'journal')) {
      expect(journalIds).not.toContain(activity.related_entity_id);
      expect(activity.metadata).toHaveProperty('duration_seconds');
    }
    expect(await eventsOf(user, 'journals_deleted')).toEqual([{ metadata: { count: 3 } }]);

    // The other user's recording is untouched.
    expect(
      (await t.request('GET', `/v1/journals/${theirs.id}`, { token: other.accessToken })).status,
    ).toBe(200);
    expect(await objectsOf(t, other.id)).toHaveLength(1);
    // Signing in still works: only the recordings went.
    expect((await login(t, user)).status).toBe(200);
  });
});
