// The limit of `GET /v1/emotions?limit=20`: verify the bearer token (jose, cached as the API
// caches it), then the API's SELECT of the newest limit + 1 check-ins, answered as the API
// answers (the same page schema, the same next_cursor).
// - rls: BEGIN; select set_config('app.user_id', $1, true); the SELECT; COMMIT — the API's
//   scoped transaction (src/platform/db/postgres.ts), sent in one flight, statements prepared.
// - norls: the SELECT alone, no transaction; the connections carry app.system=on from their
//   start (a startup parameter), so the policies pass without a scope per request.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CheckinPage } from '../../src/modules/emotions/schemas.ts';
import { PageQuery } from '../../src/platform/http/schemas.ts';
import {
  createVerifier,
  inOneFlight,
  openDatabase,
  unauthorized,
  type LimitConfig,
  type Sql,
} from './common.ts';

interface CheckinRow {
  id: string;
  user_id: string;
  emotion_type_id: number;
  intensity: number;
  context: string;
  notes: string | null;
  notes_plaintext: boolean;
  related_journal_id: string | null;
  related_tool_id: string | null;
  created_at: Date;
  local_time: string;
  received_at: Date;
  client_id: string | null;
}

// The API's statement (Drizzle's text, as PostgreSQL logs it).
const select = (sql: Pick<Sql, 'unsafe'>, userId: string, rows: number) =>
  sql.unsafe<CheckinRow[]>(
    `select "id", "user_id", "emotion_type_id", "intensity", "context", "notes", "notes_plaintext", "related_journal_id", "related_tool_id", "created_at", "local_time", "received_at", "client_id" from "checkins" where "checkins"."user_id" = $1 order by "checkins"."created_at" desc, "checkins"."id" desc limit $2`,
    [userId, rows],
    { prepare: true },
  );

export const toCheckinDto = (row: CheckinRow) => ({
  id: row.id,
  emotion_type_id: row.emotion_type_id,
  intensity: row.intensity,
  context: row.context,
  notes: row.notes,
  plaintext_fields: row.notes_plaintext ? ['notes'] : [],
  related_journal_id: row.related_journal_id,
  related_tool_id: row.related_tool_id,
  client_id: row.client_id,
  created_at: row.created_at.toISOString(),
  local_date: row.local_time.slice(0, 10),
});
export type { CheckinRow };

export async function registerList(
  app: FastifyInstance,
  config: LimitConfig,
  mode: 'rls' | 'norls',
): Promise<Sql> {
  const sql = mode === 'rls' ? openDatabase(config) : openDatabase(config, { 'app.system': 'on' });
  const verify = await createVerifier(config);
  app.get<{ Querystring: { limit?: number } }>(
    '/v1/emotions',
    {
      schema: {
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: CheckinPage },
      },
    },
    async (request, reply) => {
      const caller = await verify(request.headers.authorization);
      if (!caller) return reply.code(401).send(unauthorized);
      const limit = request.query.limit ?? 20;
      const rows =
        mode === 'rls'
          ? ((
              await inOneFlight(sql, caller, (tx) => [select(tx, caller.userId, limit + 1)])
            )[0] as unknown as CheckinRow[])
          : await select(sql, caller.userId, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toCheckinDto),
        next_cursor:
          rows.length > limit && last
            ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString(
                'base64url',
              )
            : null,
      };
    },
  );
  return sql;
}
