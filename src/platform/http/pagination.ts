// Opaque cursors for keyset pagination: base64url of a JSON tuple (for example the
// created_at and id of the last item). Clients never build them; a tampered cursor is a
// 400, not a 500.
import { badRequest } from '../errors.ts';

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  arity: number,
): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return values;
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
