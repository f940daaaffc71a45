// Opaque cursors for keyset pagination: base64url of a JSON tuple (for example the
// created_at and id of the last item). Clients never build them; a tampered cursor is a
// 400, not a 500.
import { badRequest } from '../errors.ts';

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What each position of a cursor holds; checked, so that a forged cursor is a 400, not a 500. */
export type CursorField = 'timestamp' | 'uuid' | 'text' | 'integer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const fits: Record<CursorField, (v: unknown) => boolean> = {
  timestamp: (v) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  text: (v) => typeof v === 'string' && v.length <= 500,
  integer: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
};

export function decodeCursor(
  cursor: string | undefined,
  shape: readonly CursorField[],
): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === shape.length &&
      values.every((v, i) => fits[shape[i]!](v))
    ) {
      return values as (string | number)[];
    }
  } catch {
    // fall through
  }
  throw badRequest('The cursor is not valid', [
    { pointer: '#/query/cursor', message: 'invalid cursor' },
  ]);
}

/** Splits a page fetched with limit + 1 rows into items and the next cursor. */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => (string | number)[],
): { items: Item[]; next_cursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    next_cursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

/** What a client asks for with `?limit=&cursor=`. */
export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Where a page in (created_at, id) order starts: after the row the cursor names. */
export type CreatedAtKey = { at: Date; id: string } | undefined;

/**
 * A page in (created_at, id) order, from `?limit=&cursor=`: decodes the cursor, fetches
 * limit + 1 rows after it, and answers the items with the next cursor.
 */
export async function createdAtPage<Row extends { createdAt: Date; id: string }, Item>(
  page: PageRequest,
  fetch: (limit: number, after: CreatedAtKey) => Promise<Row[]>,
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; next_cursor: string | null }> {
  const limit = page.limit ?? 20;
  const cursor = decodeCursor(page.cursor, ['timestamp', 'uuid']);
  const after = cursor ? { at: new Date(cursor[0] as string), id: cursor[1] as string } : undefined;
  const rows = await fetch(limit, after);
  return pageOf(rows, limit, toItem, (r) => [r.createdAt.toISOString(), r.id]);
}
