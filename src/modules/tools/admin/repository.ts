// SQL of content management: the writes of the admin API and of the seed, each change's
// audit entry, and the content version every replica's cache compares with.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { toolCategories, toolContentChanges, toolContentVersion, tools } from '../tables.ts';
import { toolColumns, type CategoryRow, type ToolRow } from '../repository.ts';

export async function findCategoryByCode(tx: Tx, code: string): Promise<CategoryRow | undefined> {
  const [row] = await tx.select().from(toolCategories).where(eq(toolCategories.code, code));
  return row;
}

export async function findToolByCode(tx: Tx, code: string): Promise<ToolRow | undefined> {
  const [row] = await tx
    .select(toolColumns)
    .from(tools)
    .innerJoin(toolCategories, eq(toolCategories.id, tools.categoryId))
    .where(eq(tools.code, code));
  return row;
}

export async function insertCategory(
  tx: Tx,
  values: typeof toolCategories.$inferInsert,
): Promise<CategoryRow> {
  const [row] = await tx.insert(toolCategories).values(values).returning();
  if (!row) throw new Error('category insert returned no row');
  return row;
}

export async function updateCategory(
  tx: Tx,
  id: number,
  values: Partial<typeof toolCategories.$inferInsert>,
): Promise<CategoryRow | undefined> {
  const [row] = await tx
    .update(toolCategories)
    .set(values)
    .where(eq(toolCategories.id, id))
    .returning();
  return row;
}

export async function deleteCategory(tx: Tx, id: number): Promise<boolean> {
  const rows = await tx
    .delete(toolCategories)
    .where(eq(toolCategories.id, id))
    .returning({ id: toolCategories.id });
  return rows.length > 0;
}

export async function countToolsInCategory(tx: Tx, categoryId: number): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(tools)
    .where(eq(tools.categoryId, categoryId));
  return row?.n ?? 0;
}

export async function insertTool(tx: Tx, values: typeof tools.$inferInsert): Promise<string> {
  const [row] = await tx.insert(tools).values(values).returning({ id: tools.id });
  if (!row) throw new Error('tool insert returned no row');
  return row.id;
}

export async function updateTool(
  tx: Tx,
  id: string,
  values: Partial<typeof tools.$inferInsert>,
): Promise<boolean> {
  const rows = await tx
    .update(tools)
    .set(values)
    .where(eq(tools.id, id))
    .returning({ id: tools.id });
  return rows.length > 0;
}

export async function recordContentChange(
  tx: Tx,
  change: {
    actorId: string | null;
    action: string;
    entity: 'tool' | 'category';
    entityId: string;
    details?: Record<string, unknown>;
    createdAt: Date;
  },
): Promise<void> {
  await tx.insert(toolContentChanges).values({ ...change, details: change.details ?? {} });
}

export async function bumpContentVersion(tx: Tx): Promise<number> {
  const [row] = await tx
    .update(toolContentVersion)
    .set({ version: sql`${toolContentVersion.version} + 1` })
    .where(eq(toolContentVersion.id, 1))
    .returning({ version: toolContentVersion.version });
  return row?.version ?? 1;
}
