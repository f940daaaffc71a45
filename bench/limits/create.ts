// The limit of `POST /v1/emotions`: verify the bearer token, check the body (the API's
// schema, the emotion in the catalog), then one scoped transaction in one flight writing
// the rows the API writes durably in that request (read from PostgreSQL's statement log of
// the API, see docs/performance.md):
//   BEGIN; select set_config('app.user_id', $1, true);
//   insert into checkins ... select ... from users (local_time in the user's time zone,
//     which the API reads in a statement of its own, twice) returning the row;
//   insert into user_activities ... on conflict do nothing (the progress activity of the
//     domain event, its local_date and time_zone from users);
//   insert into pgboss.job_common (the achievement-evaluation job, the values pg-boss's
//     send writes: retry 5 × 10 s with backoff, expiry 300 s, heartbeat 30 s, kept 14 days);
//   COMMIT.
// The job rows go to a queue of their own (config.jobQueue) in the same table, which no
// worker takes from: the API's worker must not evaluate the limit's check-ins. Answers 201
// with the check-in, as the API does.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Checkin, CreateCheckinBody } from '../../src/modules/emotions/schemas.ts';
import {
  createVerifier,
  inOneFlight,
  openDatabase,
  unauthorized,
  type LimitConfig,
  type Sql,
} from './common.ts';
import { toCheckinDto, type CheckinRow } from './list.ts';

const CHECKIN_ACTIVITY = 1; // progress ACTIVITY_TYPE_IDS.checkin

interface Body {
  emotion_type_id: number;
  intensity: number;
  context: string;
  id?: string;
  notes?: string;
  created_at?: string;
}

export async function registerCreate(app: FastifyInstance, config: LimitConfig): Promise<Sql> {
  const sql = openDatabase(config);
  const queue = config.jobQueue;
  if (!queue) throw new Error('create: jobQueue is not configured');
  const verify = await createVerifier(config);
  const catalog = new Set(
    (await inOneFlight(sql, 'system', (tx) => [tx`select id from emotion_types`]))[0]!.map(
      (r) => r.id as number,
    ),
  );
  app.post<{ Body: Body }>(
    '/v1/emotions',
    { schema: { body: CreateCheckinBody, response: { 201: Checkin } } },
    async (request, reply) => {
      const caller = await verify(request.headers.authorization);
      if (!caller) return reply.code(401).send(unauthorized);
      const body = request.body;
      if (!catalog.has(body.emotion_type_id) || body.created_at !== undefined)
        return reply.code(422).send({ status: 422, title: 'not supported by the limit' });
      const userId = caller.userId;
      const id = body.id ?? randomUUID();
      const now = new Date();
      const notes = body.notes ?? null;
      const [inserted] = await inOneFlight(sql, caller, (tx) => [
        tx`insert into checkins (id, user_id, emotion_type_id, intensity, context, notes,
             related_journal_id, related_tool_id, created_at, local_time, received_at, client_id)
           select ${id}, ${userId}, ${body.emotion_type_id}, ${body.intensity}, ${body.context},
             ${notes}, null, null, ${now}, ${now}::timestamptz at time zone u.time_zone, ${now}, null
           from users u where u.id = ${userId}
           returning id, user_id, emotion_type_id, intensity, context, notes, notes_plaintext,
             related_journal_id, related_tool_id, created_at, local_time, received_at, client_id`,
        tx`insert into user_activities (user_id, activity_type_id, related_entity_id,
             occurred_at, local_date, time_zone, metadata)
           select ${userId}, ${CHECKIN_ACTIVITY}, ${id}, ${now},
             (${now}::timestamptz at time zone u.time_zone)::date, u.time_zone,
             ${tx.json({ emotion_type_id: body.emotion_type_id })}
           from users u where u.id = ${userId}
           on conflict do nothing`,
        tx`insert into pgboss.job_common (name, data, retry_limit, retry_delay, retry_backoff,
             expire_seconds, heartbeat_seconds, policy, keep_until)
           values (${queue}, ${tx.json({ user_id: userId })}, 5, 10, true, 300, 30, 'standard',
             now() + interval '14 days')`,
      ]);
      const row = inserted?.[0] as CheckinRow | undefined;
      if (!row) return reply.code(404).send({ status: 404, title: 'user not found' });
      return reply.code(201).send(toCheckinDto(row));
    },
  );
  return sql;
}
