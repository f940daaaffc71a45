// Queries compiled once (src/platform/db/compiled-query.ts) against Drizzle's builder on
// the same data: the same rows (fields, nulls, timestamps, nested selections, joins), the
// same SQL text, still inside the caller's scoped transaction (row-level security), and,
// on PostgreSQL, still a named prepared statement of postgres.js.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, plain } from '../../src/platform/db/compiled-query.ts';
import { queryRows, type Tx } from '../../src/platform/db/database.ts';
import { users } from '../../src/modules/auth/tables.ts';
import { checkins } from '../../src/modules/emotions/partitioned/tables.ts';
import {
  ensurePartitions,
  insertCheckin,
  listCheckins,
} from '../../src/modules/emotions/repository.ts';
import { emotionTypes } from '../../src/modules/emotions/tables.ts';
import { journals } from '../../src/modules/journals/tables.ts';
import { insertActivity } from '../../src/modules/progress/repository.ts';
import { userActivities } from '../../src/modules/progress/tables.ts';
import { databaseKind, freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { bareUserRow } from '../helpers/db.ts';

let db: TestDatabase;
const userA = randomUUID();
const userB = randomUUID();
const journalA = randomUUID();
const tiedAt = '2025-03-02T08:30:00.250Z';

const newestFirst = compileQuery({ userId: checkins.userId, limit: plain<number>() }, (q, p) =>
  q
    .select()
    .from(checkins)
    .where(eq(checkins.userId, p.userId))
    .orderBy(desc(checkins.createdAt), desc(checkins.id))
    .limit(p.limit),
);

const builderNewestFirst = (tx: Tx, userId: string, limit: number) =>
  tx
    .select()
    .from(checkins)
    .where(eq(checkins.userId, userId))
    .orderBy(desc(checkins.createdAt), desc(checkins.id))
    .limit(limit);

/** No owner condition at all: only row-level security keeps other users' rows out. */
const everyCheckin = compileQuery({}, (q) =>
  q.select({ id: checkins.id, userId: checkins.userId }).from(checkins),
);

/** A previous-page cursor, with a Date placeholder encoded as the column encodes it. */
const olderThan = compileQuery(
  { at: checkins.createdAt, id: checkins.id, limit: plain<number>() },
  (q, p) =>
    q
      .select()
      .from(checkins)
      .where(
        or(lt(checkins.createdAt, p.at), and(eq(checkins.createdAt, p.at), lt(checkins.id, p.id))),
      )
      .orderBy(desc(checkins.createdAt), desc(checkins.id))
      .limit(p.limit),
);

/** Nested selections, a table in a selection, mapWith decoders, inner and left joins. */
const emotionAndJournal = {
  id: checkins.id,
  at: { created: checkins.createdAt, local: checkins.localTime },
  weekday: sql<number>`extract(dow from ${checkins.createdAt})`.mapWith(Number),
  emotion: emotionTypes,
  journal: { id: journals.id, recordedAt: journals.recordedAt, iv: journals.encryptionIv },
};
const withEmotionAndJournal = compileQuery({ userId: checkins.userId }, (q, p) =>
  q
    .select(emotionAndJournal)
    .from(checkins)
    .innerJoin(emotionTypes, eq(emotionTypes.id, checkins.emotionTypeId))
    .leftJoin(journals, eq(journals.id, checkins.relatedJournalId))
    .where(eq(checkins.userId, p.userId))
    .orderBy(desc(checkins.createdAt), desc(checkins.id)),
);

const builderWithEmotionAndJournal = (tx: Tx, userId: string) =>
  tx
    .select(emotionAndJournal)
    .from(checkins)
    .innerJoin(emotionTypes, eq(emotionTypes.id, checkins.emotionTypeId))
    .leftJoin(journals, eq(journals.id, checkins.relatedJournalId))
    .where(eq(checkins.userId, userId))
    .orderBy(desc(checkins.createdAt), desc(checkins.id));

async function addUser(id: string) {
  await db.asSystem((tx) => tx.insert(users).values(bareUserRow(id)));
}

beforeAll(async () => {
  db = await freshDatabase();
  await addUser(userA);
  await addUser(userB);
  const [emotion] = await db.asSystem((tx) =>
    tx.select({ id: emotionTypes.id }).from(emotionTypes).limit(1),
  );
  if (!emotion) throw new Error('the template has no emotion types');
  await db.asSystem((tx) => ensurePartitions(tx, ['2024-12-31', '2025-03-01']));
  await db.asUser(userA, (tx) =>
    tx.insert(journals).values({
      id: journalA,
      userId: userA,
      title: null,
      durationSeconds: 60,
      recordedAt: new Date('2025-03-01T09:00:00Z'),
      recordedLocalDate: '2025-03-01',
      storagePath: `journals/${journalA}`,
      encryptionIv: Buffer.alloc(12, 7),
      createdAt: new Date('2025-03-01T09:00:00Z'),
      updatedAt: new Date('2025-03-01T09:00:00Z'),
    }),
  );
  // Microseconds (Dates keep milliseconds: both paths must drop them the same way), nulls
  // and values in every nullable column, two rows at the same instant (the id breaks ties).
  for (const [userId, rows] of [
    [userA, 12],
    [userB, 3],
  ] as const) {
    await db.asUser(userId, async (tx) => {
      for (let i = 0; i < rows; i++) {
        const createdAt = i < 2 ? tiedAt : `2025-03-01 0${i % 10}:00:00.${123456 + i}+00`;
        await tx.execute(sql`
          insert into checkins (user_id, emotion_type_id, intensity, context, notes,
            related_journal_id, related_tool_id, created_at, local_time, received_at, client_id)
          values (${userId}, ${emotion.id}, ${1 + (i % 10)}, 'standalone',
            ${i % 2 ? `note ${i}` : null}, ${i === 3 && userId === userA ? journalA : null},
            ${i % 3 ? null : randomUUID()}, ${createdAt}::timestamptz,
            ${'2025-03-01 10:00:00.5'}, ${'2024-12-31 23:59:59.999999+00'},
            ${i % 4 ? `client-${i}` : null})`);
      }
    });
  }
});
afterAll(() => db.close());

describe('compiled queries', () => {
  it('return the rows of the builder, field for field (timestamps, strings, nulls)', async () => {
    const [compiled, built] = await db.asUser(
      userA,
      async (tx) =>
        [
          await newestFirst.run(tx, { userId: userA, limit: 100 }),
          await builderNewestFirst(tx, userA, 100),
        ] as const,
    );
    expect(compiled).toHaveLength(12);
    expect(compiled).toStrictEqual(built);
    const first = compiled[0];
    expect(first?.createdAt).toBeInstanceOf(Date);
    expect(first?.createdAt.toISOString()).toBe(tiedAt);
    expect(typeof first?.localTime).toBe('string');
    expect(compiled.some((row) => row.notes === null)).toBe(true);
    expect(compiled.some((row) => row.relatedJournalId === journalA)).toBe(true);
    // Keys in the builder's order too.
    expect(Object.keys(first ?? {})).toEqual(Object.keys(built[0] ?? {}));
  });

  it('send the SQL text of the builder for the same shape', async () => {
    const built = await db.asUser(userA, async (tx) => builderNewestFirst(tx, userA, 21).toSQL());
    expect(newestFirst.sql).toBe(built.sql);
  });

  it('encode placeholder values as their column (a Date cursor)', async () => {
    const all = await db.asUser(userA, (tx) => builderNewestFirst(tx, userA, 100));
    const cursor = all[0];
    if (!cursor) throw new Error('no rows');
    const [compiled, built] = await db.asUser(
      userA,
      async (tx) =>
        [
          await olderThan.run(tx, { at: cursor.createdAt, id: cursor.id, limit: 5 }),
          await tx
            .select()
            .from(checkins)
            .where(
              or(
                lt(checkins.createdAt, cursor.createdAt),
                and(eq(checkins.createdAt, cursor.createdAt), lt(checkins.id, cursor.id)),
              ),
            )
            .orderBy(desc(checkins.createdAt), desc(checkins.id))
            .limit(5),
        ] as const,
    );
    expect(compiled).toStrictEqual(built);
    expect(compiled).toStrictEqual(all.slice(1, 6));
  });

  it('map nested selections, tables, mapWith and joins like the builder (a missing join is null)', async () => {
    const [compiled, built] = await db.asUser(
      userA,
      async (tx) =>
        [
          await withEmotionAndJournal.run(tx, { userId: userA }),
          await builderWithEmotionAndJournal(tx, userA),
        ] as const,
    );
    expect(compiled).toHaveLength(12);
    expect(compiled).toStrictEqual(built);
    expect(compiled.filter((row) => row.journal !== null)).toHaveLength(1);
    expect(compiled.find((row) => row.journal)?.journal?.iv).toBeInstanceOf(Buffer);
  });

  it("run in the caller's scope: row-level security still applies", async () => {
    const seenByA = await db.asUser(userA, (tx) => everyCheckin.run(tx, {}));
    expect(seenByA).toHaveLength(12);
    expect(new Set(seenByA.map((row) => row.userId))).toEqual(new Set([userA]));
    const seenByB = await db.asUser(userB, (tx) => everyCheckin.run(tx, {}));
    expect(new Set(seenByB.map((row) => row.userId))).toEqual(new Set([userB]));
    expect(seenByB).toHaveLength(3);
    // A's id asked for in B's scope: nothing, whatever the query says.
    expect(
      await db.asUser(userB, (tx) => newestFirst.run(tx, { userId: userA, limit: 100 })),
    ).toEqual([]);
    expect(await db.unscoped((tx) => everyCheckin.run(tx, {}))).toEqual([]);
    const everyone = await db.asSystem((tx) => everyCheckin.run(tx, {}));
    expect(everyone).toHaveLength(15);
  });

  it('reject a declaration whose placeholders do not match its query', () => {
    expect(() =>
      compileQuery({ userId: checkins.userId, unused: plain<number>() }, (q, p) =>
        q.select().from(checkins).where(eq(checkins.userId, p.userId)),
      ),
    ).toThrow(/unused/);
    expect(() =>
      compileQuery({}, (q) =>
        q
          .select()
          .from(checkins)
          .where(eq(checkins.userId, sql.placeholder('typo'))),
      ),
    ).toThrow(/undeclared/);
  });

  it.runIf(databaseKind() === 'postgres')(
    'are named prepared statements of postgres.js on PostgreSQL',
    async () => {
      const prepared = await db.asUser(userA, async (tx) => {
        await newestFirst.run(tx, { userId: userA, limit: 1 });
        return queryRows<{ name: string; statement: string }>(
          tx,
          sql`select name, statement from pg_prepared_statements`,
        );
      });
      expect(prepared.map((row) => row.statement)).toContain(newestFirst.sql);
    },
  );
});

describe('listCheckins (the unfiltered list is compiled)', () => {
  it('returns the pages the builder returned, first and after a cursor', async () => {
    const all = await db.asUser(userA, (tx) => builderNewestFirst(tx, userA, 100));
    const pages = await db.asUser(userA, async (tx) => {
      const first = await listCheckins(tx, userA, {}, 4);
      const last = first[3];
      if (!last) throw new Error('short page');
      const next = await listCheckins(tx, userA, {}, 4, { createdAt: last.createdAt, id: last.id });
      return { first, next };
    });
    expect(pages.first).toStrictEqual(all.slice(0, 5));
    expect(pages.next).toStrictEqual(all.slice(4, 9));
  });

  it('keeps the builder for filtered lists', async () => {
    const rows = await db.asUser(userA, (tx) => listCheckins(tx, userA, { intensityMin: 5 }, 100));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.intensity >= 5)).toBe(true);
  });
});

describe('insertCheckin (compiled)', () => {
  it('stores and returns what the builder’s insert stores and returns, nulls and values alike', async () => {
    const [emotion] = await db.asSystem((tx) =>
      tx.select({ id: emotionTypes.id }).from(emotionTypes).limit(1),
    );
    const row = (notes: string | null, journal: string | null, clientId: string | null) => ({
      id: randomUUID(),
      userId: userA,
      emotionTypeId: emotion!.id,
      intensity: 7,
      context: 'standalone' as const,
      notes,
      relatedJournalId: journal,
      relatedToolId: null,
      createdAt: new Date('2025-03-01T11:22:33.456Z'),
      localTime: '2025-03-01 06:22:33.456',
      receivedAt: new Date('2025-03-01T11:22:34.001Z'),
      clientId,
    });
    for (const values of [row('a note', journalA, 'client-x'), row(null, null, null)]) {
      const compiled = await db.asUser(userA, (tx) => insertCheckin(tx, values));
      // Another id and client id: (user, client id, time) is unique.
      const viaBuilder = {
        ...values,
        id: randomUUID(),
        clientId: values.clientId && `${values.clientId}-b`,
      };
      const [built] = await db.asUser(userA, (tx) =>
        tx.insert(checkins).values(viaBuilder).returning(),
      );
      expect(compiled).toStrictEqual({ ...built, id: values.id, clientId: values.clientId });
      const [stored] = await db.asUser(userA, (tx) =>
        tx.select().from(checkins).where(eq(checkins.id, values.id)),
      );
      expect(stored).toStrictEqual(compiled);
    }
  });
});

describe('insertActivity (compiled)', () => {
  it('stores what the builder stores, and records an entity once', async () => {
    const activity = (relatedEntityId: string) => ({
      userId: userA,
      activityTypeId: 1,
      relatedEntityId,
      occurredAt: new Date('2025-03-01T11:22:33.456Z'),
      localDate: '2025-03-01',
      timeZone: 'America/Bogota',
      metadata: { emotion_type_id: 3 },
    });
    const [compiledEntity, builtEntity] = [randomUUID(), randomUUID()];
    expect(await db.asUser(userA, (tx) => insertActivity(tx, activity(compiledEntity)))).toBe(true);
    expect(await db.asUser(userA, (tx) => insertActivity(tx, activity(compiledEntity)))).toBe(
      false,
    );
    await db.asUser(userA, (tx) => tx.insert(userActivities).values(activity(builtEntity)));
    const stored = await db.asUser(userA, (tx) =>
      tx
        .select()
        .from(userActivities)
        .where(inArray(userActivities.relatedEntityId, [compiledEntity, builtEntity])),
    );
    expect(stored).toHaveLength(2);
    const strip = ({ id: _id, createdAt: _at, relatedEntityId: _e, ...rest }: (typeof stored)[0]) =>
      rest;
    expect(strip(stored[0]!)).toStrictEqual(strip(stored[1]!));
    expect(strip(stored[0]!)).toMatchObject({
      metadata: { emotion_type_id: 3 },
      localDate: '2025-03-01',
    });
  });
});
