// The progress service without HTTP: users, check-ins and tool sessions made by the
// factories (no Argon2, no requests), and the domain events and jobs they cause run as for
// a request. What the routes add (schemas, status codes) is tested in the HTTP files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestServices, type TestServices } from '../helpers/services.ts';
import { rows } from '../helpers/db.ts';
import {
  callerFor,
  createCheckin,
  createUser,
  recordToolUsage,
  type FactoryUser,
} from '../helpers/factories.ts';

let t: TestServices;
beforeAll(async () => {
  t = await createTestServices({ start: '2026-03-02T15:00:00Z' });
});
afterAll(() => t.close());

const DAY = 86_400_000;
const progress = () => t.modules.progress.service;

/** One check-in on each of `days` consecutive local days, ending today (Bogotá, 10:00). */
async function checkInDaily(user: FactoryUser, days: number) {
  const today = t.clock.now().getTime();
  for (let back = days - 1; back >= 0; back--)
    await createCheckin(t, user, { created_at: new Date(today - back * DAY).toISOString() });
  await t.drainJobs();
}

describe('progress service', () => {
  it('counts a streak of local days from recorded check-ins, and milestones ahead', async () => {
    const user = await createUser(t, { time_zone: 'America/Bogota' });
    await checkInDaily(user, 4);
    expect(await progress().streak(callerFor(t, user))).toMatchObject({
      current_streak: 4,
      longest_streak: 4,
      last_activity_date: '2026-03-02',
      active_today: true,
      next_milestone: 7,
    });
  });

  it('awards first achievements through the evaluation job, once each', async () => {
    const user = await createUser(t, { language_preference: 'en' });
    await createCheckin(t, user, { code: 'joy' });
    await recordToolUsage(t, user, 'box-breathing');
    await recordToolUsage(t, user, 'box-breathing');
    await t.drainJobs();
    const { earned, language } = await progress().achievements(callerFor(t, user));
    expect(language).toBe('en');
    const codes = earned.map((each) => each.code).sort();
    expect(codes).toContain('first-checkin');
    expect(codes).toContain('first-tool');
    expect(new Set(codes).size).toBe(codes.length);
    expect(earned.find((each) => each.code === 'first-checkin')?.name).toBe('Your first check-in');
  });

  it('shows one user nothing of another', async () => {
    const active = await createUser(t);
    const quiet = await createUser(t);
    await checkInDaily(active, 2);
    expect(await progress().streak(callerFor(t, quiet))).toMatchObject({
      current_streak: 0,
      last_activity_date: null,
      active_today: false,
    });
    expect((await progress().achievements(callerFor(t, quiet))).earned).toEqual([]);
  });

  it('evaluates each user once per batch of queued evaluations, however many check-ins asked', async () => {
    const evaluations = async () => {
      const metric = await t.platform.metrics
        .getSingleMetric('achievement_evaluations_total')
        ?.get();
      return metric?.values[0]?.value ?? 0;
    };
    const queued = async () => {
      const [row] = await rows<{ n: number }>(
        t,
        sql`select count(*)::int as n from pgboss.job
            where name = 'progress.evaluate-achievements' and state = 'created'`,
      );
      return row?.n ?? 0;
    };
    await t.drainJobs();
    const before = await evaluations();
    const [first, second] = [await createUser(t), await createUser(t)];
    for (let each = 0; each < 12; each++) {
      await createCheckin(t, first, { code: 'calm' });
      await createCheckin(t, second, { code: 'joy' });
    }
    // One job per recording transaction, all committed before the worker fetches them.
    expect(await queued()).toBe(24);
    await t.drainJobs();
    expect(await queued()).toBe(0);
    expect((await evaluations()) - before).toBe(2);
    for (const user of [first, second]) {
      const { earned } = await progress().achievements(callerFor(t, user));
      expect(earned.map((each) => each.code)).toContain('first-checkin');
    }
  });
});
