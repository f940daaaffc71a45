// The one table of scheduled jobs (src/modules/schedules.ts) is what the processes really
// schedule, and what operators read: docs/operations.md and `amira --help`.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCron, SCHEDULES, scheduleTableText } from '../../src/modules/schedules.ts';
import { createTestServices, type TestServices } from '../helpers/services.ts';

describe('scheduled jobs', () => {
  let t: TestServices;
  beforeAll(async () => {
    t = await createTestServices();
  });
  afterAll(() => t.close());

  it('the table lists exactly what the modules schedule, with the same cron', () => {
    const byJob = (a: { job: string }, b: { job: string }) => a.job.localeCompare(b.job);
    const table = SCHEDULES.map(({ job, cron }) => ({ job, cron })).sort(byJob);
    expect(t.platform.jobs.scheduled().sort(byJob)).toEqual(table);
    expect(table.map((each) => each.job)).toEqual([
      'auth.data-exports-expire',
      'auth.mfa-challenge-cleanup',
      'auth.purge-deleted-accounts',
      'emotions.ensure-partitions',
      'journals.purge-deleted',
      'journals.sweep-orphans',
      'notifications.tick',
    ]);
  });

  it('docs/operations.md shows the same table, row for row', async () => {
    const doc = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Scheduled jobs'));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(
      SCHEDULES.map((each) => [
        `\`${each.job}\``,
        `\`${each.cron}\``,
        describeCron(each.cron),
        each.description,
      ]),
    );
  });

  it('describes each cron form in words, in UTC', () => {
    expect(describeCron('* * * * *')).toBe('every minute');
    expect(describeCron('7 * * * *')).toBe('hourly, :07');
    expect(describeCron('17 3 * * *')).toBe('03:17 daily');
    expect(describeCron('0 4 * * 1')).toBe('0 4 * * 1');
    // `--help` prints one line per job, with its time in words.
    const lines = scheduleTableText().split('\n');
    expect(lines).toHaveLength(SCHEDULES.length);
    expect(lines[0]).toMatch(/^ {2}notifications\.tick +every minute +reminders/);
  });
});
