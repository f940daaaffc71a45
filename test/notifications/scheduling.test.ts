// The per-minute schedule with a hand-moved clock: reminders at the right local minute in
// UTC-5, UTC+1/+2 (across the spring DST change) and UTC+5:30; days of the week; quiet
// hours; no reminder on a day already checked in; one delivery per user and day even
// with two workers at once; achievements become notifications.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { count } from '../helpers/db.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import { checkinAt } from '../helpers/progress.ts';
import { deliveriesOf, inboxOf, recordedPushes, signInOnPhone } from '../helpers/notifications.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ start: '2026-03-27T12:00:00Z' });
});
afterAll(() => t.close());

async function tickAt(at: string, app = t): Promise<void> {
  app.clock.set(at);
  await app.modules.notifications.scheduleDue();
  await app.drainJobs();
}

/** A user with only reminders on (affirmations off), and a phone. */
async function person(timeZone: string, preferences: object = {}, language: 'es' | 'en' = 'en') {
  t.clock.set('2026-03-27T12:00:00Z');
  const user = await registerUser(t, { time_zone: timeZone, language_preference: language });
  const token = await signInOnPhone(
    t,
    user,
    `phone-${user.id.slice(0, 8)}`,
    `fcm-token-${user.id}`,
  );
  const response = await t.request('PUT', '/v1/notifications/preferences', {
    token,
    body: { affirmations_enabled: false, ...preferences },
  });
  expect(response.status, response.raw).toBe(200);
  return user;
}

const reminderKeys = async (user: TestUser) =>
  (await deliveriesOf(t, user))
    .filter((d) => d.kind === 'reminder')
    .map((d) => `${d.key}:${d.status}`);

describe('reminders at the local minute', () => {
  let bogota: TestUser;
  let madrid: TestUser;
  let kolkata: TestUser;
  beforeAll(async () => {
    bogota = await person('America/Bogota');
    madrid = await person('Europe/Madrid');
    kolkata = await person('Asia/Kolkata');
  });

  it('reaches each user at 20:00 where they are, before and after Madrid’s DST change', async () => {
    await tickAt('2026-03-28T14:29:00Z');
    expect(await reminderKeys(kolkata)).toEqual([]);
    await tickAt('2026-03-28T14:30:00Z'); // 20:00 in Kolkata (UTC+5:30)
    expect(await reminderKeys(kolkata)).toEqual(['2026-03-28:sent']);
    expect(await reminderKeys(madrid)).toEqual([]);

    await tickAt('2026-03-28T18:59:00Z');
    expect(await reminderKeys(madrid)).toEqual([]);
    await tickAt('2026-03-28T19:00:00Z'); // 20:00 in Madrid (CET, UTC+1)
    expect(await reminderKeys(madrid)).toEqual(['2026-03-28:sent']);

    await tickAt('2026-03-29T00:59:00Z');
    expect(await reminderKeys(bogota)).toEqual([]);
    await tickAt('2026-03-29T01:00:00Z'); // 20:00 on the 28th in Bogotá (UTC-5)
    expect(await reminderKeys(bogota)).toEqual(['2026-03-28:sent']);

    // Clocks went forward in Madrid at 02:00 on the 29th: 20:00 is now 18:00 UTC.
    await tickAt('2026-03-29T17:59:00Z');
    expect(await reminderKeys(madrid)).toEqual(['2026-03-28:sent']);
    await tickAt('2026-03-29T18:00:00Z');
    expect(await reminderKeys(madrid)).toEqual(['2026-03-28:sent', '2026-03-29:sent']);
    // Later ticks inside the catch-up window deliver nothing twice.
    await tickAt('2026-03-29T18:30:00Z');
    await tickAt('2026-03-29T19:00:00Z');
    expect(await reminderKeys(madrid)).toEqual(['2026-03-28:sent', '2026-03-29:sent']);
    expect(await reminderKeys(kolkata)).toEqual(['2026-03-28:sent']);
  });

  it('puts the reminder in the inbox and pushes generic words only', async () => {
    const inbox = await inboxOf(t, madrid);
    expect(inbox).toHaveLength(2);
    expect(inbox[0]).toMatchObject({ kind: 'reminder', pushed: true });
    const pushes = (await recordedPushes(t)).filter(
      (p) => p.token_end === `fcm-token-${madrid.id}`.slice(-6),
    );
    expect(pushes).toHaveLength(2);
    expect(pushes[0]).toEqual({
      token_end: madrid.id.slice(-6),
      title: inbox[0]!.title,
      body: inbox[0]!.body,
      data: { kind: 'reminder', notification_id: expect.any(String) },
      collapse_id: 'reminder:2026-03-28',
      ...{ message_id: expect.any(String), at: '2026-03-28T19:00:00.000Z' },
    });
  });
});

describe('what the schedule respects', () => {
  it('skips a day already checked in or journaled', async () => {
    const user = await person('America/Bogota');
    await checkinAt(t, user, '2026-03-30T15:00:00Z'); // 10:00 in Bogotá
    await tickAt('2026-03-31T01:00:00Z'); // 20:00 on the 30th
    expect((await deliveriesOf(t, user)).filter((d) => d.kind === 'reminder')).toEqual([
      { kind: 'reminder', key: '2026-03-30', status: 'skipped', reason: 'already-active-today' },
    ]);
    expect((await inboxOf(t, user)).map((n) => n.kind)).toEqual(['achievement']);
  });

  it('comes only on the chosen days of the week', async () => {
    const user = await person('America/Bogota', { reminder_days: ['mon'] });
    await tickAt('2026-03-31T01:00:00Z'); // Monday 30 March, 20:00
    await tickAt('2026-04-01T01:00:00Z'); // Tuesday 31 March, 20:00
    expect(await reminderKeys(user)).toEqual(['2026-03-30:sent']);
  });

  it('keeps quiet hours: the inbox gets it, the phone stays silent', async () => {
    const user = await person('America/Bogota', {
      reminder_time: '23:00',
      quiet_hours: { start: '22:00', end: '07:00' },
    });
    await tickAt('2026-04-02T04:00:00Z'); // 23:00 on 1 April in Bogotá
    expect(await inboxOf(t, user)).toEqual([
      expect.objectContaining({ kind: 'reminder', pushed: false }),
    ]);
    const mine = (await recordedPushes(t)).filter((p) => p.token_end === user.id.slice(-6));
    expect(mine).toEqual([]);
  });

  it('sends nothing at all when reminders are off', async () => {
    const user = await person('America/Bogota', { reminders_enabled: false });
    await tickAt('2026-04-03T01:00:00Z');
    expect(await deliveriesOf(t, user)).toEqual([]);
  });

  it('delivers once per user and day with two workers ticking and draining at once', async () => {
    const user = await person('Asia/Kolkata');
    const other = await createTestApp({ replicaOf: t });
    try {
      t.clock.set('2026-04-03T14:30:00Z');
      other.clock.set('2026-04-03T14:30:00Z');
      await Promise.all([
        t.modules.notifications.scheduleDue(),
        other.modules.notifications.scheduleDue(),
      ]);
      // Even if both workers got a job for the same key, one claims it.
      await Promise.allSettled([
        t.modules.notifications.deliver({ user_id: user.id, kind: 'reminder', key: '2026-04-03' }),
        other.modules.notifications.deliver({
          user_id: user.id,
          kind: 'reminder',
          key: '2026-04-03',
        }),
        t.drainJobs(),
        other.drainJobs(),
      ]);
      expect(await reminderKeys(user)).toEqual(['2026-04-03:sent']);
      expect(await count(t, 'notifications', sql`user_id = ${user.id}`)).toBe(1);
      expect(
        (await recordedPushes(t)).filter((p) => p.token_end === user.id.slice(-6)),
      ).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('achievements and affirmations', () => {
  it('turns an earned achievement into a notification in the user’s language', async () => {
    const user = await person('Europe/Madrid', {}, 'es');
    await checkinAt(t, user, '2026-04-04T10:00:00Z');
    await t.drainJobs(); // evaluation, then the notification
    const inbox = await inboxOf(t, user);
    expect(inbox).toEqual([
      {
        kind: 'achievement',
        title: 'Alcanzaste un nuevo hito',
        body: 'Tu primer registro. Hiciste tu primer registro emocional. Gracias por darte este momento.',
        pushed: true,
      },
    ]);
    const push = (await recordedPushes(t)).find((p) => p.token_end === user.id.slice(-6));
    expect(push).toMatchObject({
      title: 'Alcanzaste un nuevo hito',
      body: 'Abre Amira para verlo.',
    });
  });

  it('never repeats an affirmation within 30 days, and leans toward recent feelings', async () => {
    const user = await person('America/Bogota', {
      affirmations_enabled: true,
      reminders_enabled: false,
    });
    await checkinAt(t, user, '2026-04-05T13:00:00Z', 'loneliness', 7);
    const codes: string[] = [];
    for (let day = 0; day < 30; day++) {
      const date = new Date(Date.parse('2026-04-06T14:00:00Z') + day * 86_400_000);
      await tickAt(date.toISOString()); // 09:00 in Bogotá
    }
    const delivered = (await deliveriesOf(t, user)).filter((d) => d.kind === 'affirmation');
    expect(delivered.map((d) => d.key)).toHaveLength(30);
    const inbox = await t.request('GET', '/v1/notifications', {
      token: await signInOnPhone(t, user, 'tablet', `fcm-token-tablet-${user.id}`),
      query: { limit: 100 },
    });
    const items = inbox.body.items.filter((i: { kind: string }) => i.kind === 'affirmation');
    for (const item of items) codes.push(item.data.affirmation);
    expect(new Set(codes).size).toBe(30);
    // The six days after the loneliness check-in follow it (9 affirmations are written for it).
    const firstWeek = items
      .slice(-6)
      .map((i: { data: { affirmation: string } }) => i.data.affirmation);
    const { affirmations } = await import('../../src/modules/notifications/texts.ts').then((m) =>
      m.loadNotificationTexts(),
    );
    const forLoneliness = new Set(
      affirmations.filter((a) => a.target_emotions?.includes('loneliness')).map((a) => a.code),
    );
    expect(firstWeek.every((code: string) => forLoneliness.has(code))).toBe(true);
  });
});
