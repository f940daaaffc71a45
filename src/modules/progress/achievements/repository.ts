// SQL of achievements: the catalog (seeded from content/achievements.json), the awards, and
// what the data export shows of them.
import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { upsertChanged } from '../../../platform/db/upsert.ts';
import { achievementTypes, userAchievements } from '../tables.ts';

/** Inserts new achievement types and updates changed ones (by code); how many rows changed. */
export async function upsertAchievementTypes(
  tx: Tx,
  rows: (typeof achievementTypes.$inferInsert)[],
): Promise<number> {
  const t = achievementTypes;
  return upsertChanged(tx, t, rows, t.code, [
    t.icon,
    t.sortOrder,
    t.criteria,
    t.nameEs,
    t.nameEn,
    t.descriptionEs,
    t.descriptionEn,
  ]);
}

export async function achievementByCode(tx: Tx, code: string) {
  const [row] = await tx.select().from(achievementTypes).where(eq(achievementTypes.code, code));
  return row;
}

export async function achievementCatalog(tx: Tx) {
  return tx
    .select()
    .from(achievementTypes)
    .orderBy(asc(achievementTypes.sortOrder), asc(achievementTypes.id));
}

export async function earnedAchievements(tx: Tx, userId: string) {
  return tx
    .select({
      achievementTypeId: userAchievements.achievementTypeId,
      earnedAt: userAchievements.earnedAt,
    })
    .from(userAchievements)
    .where(eq(userAchievements.userId, userId));
}

/** The achievements the user earned, with their names, oldest first (data export). */
export async function earnedWithNames(tx: Tx, userId: string) {
  return tx
    .select({
      code: achievementTypes.code,
      nameEs: achievementTypes.nameEs,
      nameEn: achievementTypes.nameEn,
      earnedAt: userAchievements.earnedAt,
      metadata: userAchievements.metadata,
    })
    .from(userAchievements)
    .innerJoin(achievementTypes, eq(achievementTypes.id, userAchievements.achievementTypeId))
    .where(eq(userAchievements.userId, userId))
    .orderBy(asc(userAchievements.earnedAt), asc(achievementTypes.sortOrder));
}

/** Awards once: a concurrent evaluation that got there first wins, this one inserts nothing. */
export async function award(
  tx: Tx,
  userId: string,
  achievementTypeId: number,
  earnedAt: Date,
  metadata: Record<string, unknown>,
): Promise<boolean> {
  const rows = await tx
    .insert(userAchievements)
    .values({ userId, achievementTypeId, earnedAt, metadata })
    .onConflictDoNothing()
    .returning({ id: userAchievements.id });
  return rows.length > 0;
}
