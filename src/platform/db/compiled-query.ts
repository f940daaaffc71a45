// Queries compiled once per process. Drizzle builds a query's SQL anew on every call: a
// list of check-ins spends more CPU in Drizzle's builder (walking SQL chunks, `is()` checks)
// than in the driver. A compiled query is declared once with Drizzle and placeholders; its
// SQL text, parameter slots and row mapping are built then, and each run only fills the
// values, sends the statement on the caller's transaction and decodes the rows.
//
// Runs go through the transaction's own Drizzle session (`tx._.session.prepareQuery`, the
// public contract every Drizzle driver implements), so a compiled query is an ordinary
// statement of the caller's transaction: the same connection, the same row-level-security
// scope, the same postgres.js named prepared statements (see postgres.ts, drizzleOn), the
// same parsers and result mapping as Drizzle's builder would use (PGlite and postgres.js).
//
//   const byOwner = compileQuery(
//     { userId: things.userId, limit: plain<number>() },
//     (db, p) => db.select().from(things).where(eq(things.userId, p.userId)).limit(p.limit),
//   );
//   const rows = await byOwner.run(tx, { userId, limit: 20 }); // typed as Drizzle's rows
//
// A placeholder declared with a column is encoded as that column encodes a literal value
// (a Date compared with a timestamp column becomes its ISO string, as in the builder);
// `plain<T>()` hands the value to the driver as it is (limits, offsets).
//
// Public Drizzle API used: the builders' .prepare(name), PgSession#prepareQuery (the
// abstract method every driver implements; its `customResultMapper` takes the mapped rows),
// `tx._.session`, sql.placeholder / sql.param and fillPlaceholders' encoding of a Param
// holding a Placeholder. Drizzle internals, used here and nowhere else, because Drizzle
// exposes no public way to map rows without re-resolving every column's decoder per row:
// the row mapping repeats mapResultRow (drizzle-orm/utils.js, @internal), reading SQL#decoder
// (@internal, set by .mapWith()) and the prepared query's joinsNotNullableMap (@internal,
// set by PgSelectBase#_prepare). Checked against drizzle-orm 0.45.4 (package-lock.json);
// on an upgrade, test/platform/compiled-query.test.ts compares rows with the builder's
// (columns, timestamps, nulls, nested selections, mapWith, inner and left joins).
import { Column, getTableName, is, Param, Placeholder, SQL, sql, Subquery } from 'drizzle-orm';
import type { Query } from 'drizzle-orm';
import {
  PgDatabase,
  PgDialect,
  PgPreparedQuery,
  PgSession,
  type PgColumn,
  type PgQueryResultHKT,
  type PgTransaction,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core';
import type { Tx } from './database.ts';

declare const plainValue: unique symbol;

/** A placeholder whose value goes to the driver unencoded (see `plain`). */
export interface Plain<T> {
  readonly [plainValue]: T;
}

const PLAIN: unknown = Object.freeze({ plain: true });

/** Declares a placeholder of type T passed to the driver as it is (a limit, an offset). */
export function plain<T>(): Plain<T> {
  return PLAIN as Plain<T>;
}

/** The placeholders of a compiled query: each encoded as a column, or `plain`. */
export type PlaceholderSpec = Readonly<Record<string, PgColumn | Plain<unknown>>>;

/** The values a run needs: a column's placeholder takes what the column holds. */
export type ValuesOf<S extends PlaceholderSpec> = {
  readonly [K in keyof S]: S[K] extends Plain<infer T>
    ? T
    : S[K] extends PgColumn
      ? S[K]['_']['data']
      : never;
};

/** What the declaration's builder receives in place of values. */
export type PlaceholdersOf<S extends PlaceholderSpec> = {
  readonly [K in keyof S]: S[K] extends Plain<unknown> ? Placeholder<K & string> : Param;
};

/** A Drizzle query that can be prepared (select, insert/update/delete … returning). */
export interface Preparable {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<unknown> };
}

export type ResultOf<Q extends Preparable> = Awaited<
  ReturnType<ReturnType<Q['prepare']>['execute']>
>;

export interface CompiledQuery<Values, Result> {
  /** The SQL text sent on every run (the same text as the builder's for the same shape). */
  readonly sql: string;
  /** Runs it as a statement of the caller's transaction; rows as Drizzle would return them. */
  run(tx: Tx, values: Values): Promise<Result>;
}

type RowsMapper = (rows: unknown[][]) => unknown;

interface Capture {
  query: Query;
  fields: SelectedFieldsOrdered | undefined;
  arrayMode: boolean;
  mapper: RowsMapper | undefined;
  metadata: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] } | undefined;
}

/**
 * Declares a query once: `build` receives a database that only records what Drizzle would
 * send (it cannot run anything) and the placeholders of `spec`, and returns the query.
 */
export function compileQuery<S extends PlaceholderSpec, Q extends Preparable>(
  spec: S,
  build: (db: Tx, p: PlaceholdersOf<S>) => Q,
): CompiledQuery<ValuesOf<S>, ResultOf<Q>> {
  const placeholders: Record<string, Param | Placeholder> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const slot = sql.placeholder(name);
    placeholders[name] = kind === PLAIN ? slot : sql.param(slot, kind as PgColumn);
  }
  const session = new CapturingSession();
  const db = new PgDatabase<PgQueryResultHKT>(new PgDialect(), session, undefined);
  const prepared = build(db, placeholders as PlaceholdersOf<S>).prepare('compiled');
  const capture = session.capture;
  if (!capture) throw new Error('compileQuery: the declaration prepared no query');
  checkPlaceholders(capture.query, Object.keys(spec));
  const mapper =
    capture.mapper ?? (capture.fields && rowsMapper(capture.fields, joinsOf(prepared)));
  const { query, arrayMode, metadata } = capture;
  return {
    sql: query.sql,
    run(tx, values) {
      // No name: postgres.js prepares (names) the statement by the connection's setting,
      // which the scoped transaction applies to every statement (postgres.ts, drizzleOn).
      const statement = tx._.session.prepareQuery<PreparedQueryConfig & { execute: ResultOf<Q> }>(
        query,
        undefined,
        undefined,
        arrayMode,
        mapper as ((rows: unknown[][]) => ResultOf<Q>) | undefined,
        metadata,
      );
      return statement.execute(values);
    },
  };
}

/** Each declared placeholder is used, and no other one (a typo would fail only at run time). */
function checkPlaceholders(query: Query, declared: string[]): void {
  const used = new Set<string>();
  for (const param of query.params) {
    if (is(param, Placeholder)) used.add(param.name);
    else if (is(param, Param) && is(param.value, Placeholder)) used.add(param.value.name);
  }
  const unused = declared.filter((name) => !used.has(name));
  const undeclared = [...used].filter((name) => !declared.includes(name));
  if (unused.length || undeclared.length)
    throw new Error(
      `compileQuery: placeholders ${JSON.stringify({ unused, undeclared })} in ${query.sql}`,
    );
}

// Row mapping: what Drizzle's mapResultRow (drizzle-orm/utils.js) does with each row, with
// the decoder of every column resolved once instead of on every row.

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

type Field = SelectedFieldsOrdered[number]['field'];

function decoderOf(field: Field): Decoder {
  // SQL#decoder is @internal in the typings (see the top of this file); read as mapResultRow does.
  const decoderOfSql = (query: SQL) => (query as unknown as { decoder: Decoder }).decoder;
  if (is(field, Column)) return field;
  if (is(field, SQL)) return decoderOfSql(field);
  if (is(field, Subquery)) return decoderOfSql(field._.sql);
  return decoderOfSql(field.sql);
}

function rowsMapper(
  fields: SelectedFieldsOrdered,
  joinsNotNullable: Record<string, boolean> | undefined,
): RowsMapper {
  const decoders = fields.map(({ field }) => decoderOf(field));
  const count = decoders.length;
  if (fields.every(({ path }) => path.length === 1)) {
    const keys = fields.map(({ path }) => path[0] as string);
    return (rows) =>
      rows.map((row) => {
        const result: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const raw = row[i];
          result[keys[i] as string] =
            raw === null ? null : (decoders[i] as Decoder).mapFromDriverValue(raw);
        }
        return result;
      });
  }
  // Nested selections and joins: a joined table whose columns are all null becomes null.
  const tables = fields.map(({ field, path }) =>
    joinsNotNullable && path.length === 2 && is(field, Column)
      ? getTableName(field.table)
      : undefined,
  );
  return (rows) =>
    rows.map((row) => {
      const result: Record<string, unknown> = {};
      const nullify: Record<string, string | false> = {};
      for (let i = 0; i < count; i++) {
        const path = (fields[i] as SelectedFieldsOrdered[number]).path;
        let node = result;
        for (let depth = 0; depth < path.length - 1; depth++) {
          const chunk = path[depth] as string;
          if (!(chunk in node)) node[chunk] = {};
          node = node[chunk] as Record<string, unknown>;
        }
        const raw = row[i];
        const value = raw === null ? null : (decoders[i] as Decoder).mapFromDriverValue(raw);
        node[path[path.length - 1] as string] = value;
        const table = tables[i];
        if (table === undefined) continue;
        const object = path[0] as string;
        if (!(object in nullify)) nullify[object] = value === null ? table : false;
        else if (typeof nullify[object] === 'string' && nullify[object] !== table)
          nullify[object] = false;
      }
      for (const [object, table] of Object.entries(nullify))
        if (typeof table === 'string' && !joinsNotNullable?.[table]) result[object] = null;
      return result;
    });
}

// The declaration's database. It records what the builder's .prepare() hands the session:
// the query (SQL text and parameters, placeholders included), the ordered fields and the
// row mapper. Nothing here talks to a database.

class DeclarationOnly<T extends PreparedQueryConfig> extends PgPreparedQuery<T> {
  execute(): Promise<T['execute']> {
    return Promise.reject(new Error('A compiled query runs with .run(tx, values)'));
  }
}

class CapturingSession extends PgSession<PgQueryResultHKT> {
  capture: Capture | undefined;

  constructor() {
    super(new PgDialect());
  }

  prepareQuery<T extends PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    _name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: Capture['metadata'],
  ): PgPreparedQuery<T> {
    this.capture = {
      query,
      fields,
      arrayMode: isResponseInArrayMode,
      mapper: customResultMapper,
      metadata: queryMetadata,
    };
    return new DeclarationOnly<T>(query, undefined, undefined);
  }

  transaction<T>(_work: (tx: PgTransaction<PgQueryResultHKT>) => Promise<T>): Promise<T> {
    return Promise.reject(new Error('A compiled query declaration cannot open a transaction'));
  }
}

/**
 * Which tables of the query may be missing from a row (left/right/full joins), for the
 * mapping. Drizzle's builders set it on the prepared query after session.prepareQuery
 * returns it (`query.joinsNotNullableMap = …` in PgSelectBase#_prepare, drizzle-orm
 * 0.45.4); the field is @internal in the typings (see the top of this file).
 */
function joinsOf(prepared: unknown): Record<string, boolean> | undefined {
  return (prepared as { joinsNotNullableMap?: Record<string, boolean> }).joinsNotNullableMap;
}
