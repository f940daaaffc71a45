// The limit of `GET /v1/tools/{id}` (cached): verify the bearer token; at the same time,
//   - the content version from the API's Redis (GET <prefix>tools:version, one round trip;
//     from tool_content_version when Redis lacks it), which is what makes a content change
//     visible everywhere at once;
//   - one scoped transaction in one flight: BEGIN; set_config('app.user_id');
//     select language_preference from users; select tool_id from tool_favorites; COMMIT
//     (the API runs these as two transactions);
// then the tool in the user's language from process memory, keyed by content version,
// tool and language (loaded on a miss with the API's SELECT under the system scope). The
// answer is the API's: the same ToolDetail schema, ETag and Cache-Control, 304 on a match.
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { ToolDetail } from '../../src/modules/tools/schemas.ts';
import { IdParams } from '../../src/platform/http/schemas.ts';
import {
  createVerifier,
  inOneFlight,
  openDatabase,
  unauthorized,
  type LimitConfig,
  type Sql,
} from './common.ts';

type Language = 'es' | 'en';
type Translations = Partial<
  Record<Language, { name: string; description: string; content: object }>
>;

export async function registerTools(app: FastifyInstance, config: LimitConfig): Promise<Sql> {
  const sql = openDatabase(config);
  if (!config.redisUrl) throw new Error('tools: redisUrl is not configured');
  const redis = new Redis(config.redisUrl, { lazyConnect: false });
  const versionKey = `${config.redisKeyPrefix ?? ''}tools:version`;
  const verify = await createVerifier(config);
  const emotionIds = new Map(
    (await inOneFlight(sql, 'system', (tx) => [tx`select id, code from emotion_types`]))[0]!.map(
      (r) => [r.code as string, r.id as number],
    ),
  );
  const memory = new Map<string, Record<string, unknown> | null>();

  async function load(id: string, language: Language) {
    const [rows] = await inOneFlight(sql, 'system', (tx) => [
      tx`select t.id, t.code, t.category_id, c.code as category_code, t.content_type,
           t.difficulty, t.estimated_duration_seconds, t.target_emotions, t.translations
         from tools t join tool_categories c on c.id = t.category_id
         where t.id = ${id} and t.is_active = true`,
    ]);
    const row = rows?.[0];
    if (!row) return null;
    const translations = row.translations as Translations;
    const chosen: Language = translations[language] ? language : language === 'es' ? 'en' : 'es';
    const translation = translations[chosen]!;
    return {
      id: row.id as string,
      code: row.code as string,
      category_id: row.category_id as number,
      category_code: row.category_code as string,
      content_type: row.content_type as string,
      difficulty: row.difficulty as string,
      estimated_duration_seconds: row.estimated_duration_seconds as number,
      target_emotion_ids: (row.target_emotions as string[]).flatMap((code) =>
        emotionIds.has(code) ? [emotionIds.get(code)!] : [],
      ),
      name: translation.name,
      description: translation.description,
      language: chosen,
      content: translation.content,
    };
  }

  app.get<{ Params: { id: string } }>(
    '/v1/tools/:id',
    { schema: { params: IdParams, response: { 200: ToolDetail, 304: {} } } },
    async (request, reply) => {
      const caller = await verify(request.headers.authorization);
      if (!caller) return reply.code(401).send(unauthorized);
      const id = request.params.id;
      const [stored, [users, favorites]] = await Promise.all([
        redis.get(versionKey),
        inOneFlight(sql, caller, (tx) => [
          tx`select language_preference from users where id = ${caller.userId}`,
          tx`select tool_id from tool_favorites where user_id = ${caller.userId} and tool_id = ${id}`,
        ]),
      ]);
      const version =
        stored ??
        String(
          (
            await inOneFlight(sql, 'system', (tx) => [
              tx`select version from tool_content_version where id = 1`,
            ])
          )[0]![0]!.version,
        );
      const language = (users?.[0]?.language_preference ?? 'es') as Language;
      const key = `${version}:${id}:${language}`;
      let tool = memory.get(key);
      if (tool === undefined) {
        tool = await load(id, language);
        memory.set(key, tool);
      }
      if (!tool) return reply.code(404).send({ status: 404, title: 'tool not found' });
      const favorite = (favorites?.length ?? 0) > 0;
      const etag = `"tools-v${version}-tool-${id}-${language}-${favorite ? 'f' : 'n'}"`;
      reply.header('etag', etag).header('cache-control', 'private, max-age=0, must-revalidate');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return { ...tool, is_favorite: favorite };
    },
  );
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  return sql;
}
