// HTTP routes of /v1/emotions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { DeletedCount, IdParams, PageQuery } from '../../platform/http/schemas.ts';
import { errorResponses, json, notModified } from '../../platform/http/responses.ts';
import { ResponseHeaders } from '../../platform/http/openapi/headers.ts';
import { bodyExamples } from '../../platform/http/openapi/operation-docs.ts';
import { idempotencyOf } from '../../platform/idempotency/idempotency.ts';
import { requestMeta } from '../../platform/http/request-meta.ts';
import type { EmotionCatalog } from './catalog.ts';
import type { EmotionsService } from './service.ts';
import type { EncryptedNotes } from './encrypted-notes.ts';
import type { AnalyticsService } from './analytics/service.ts';
import {
  BatchBody,
  BatchResult,
  Checkin,
  CheckinPage,
  CreateCheckinBody,
  NotesBody,
  Distribution,
  EmotionTypeList,
  FilterBody,
  Insights,
  Patterns,
  PatternsBody,
  RangeQuery,
  Recommendations,
  RecommendationsBody,
  Trends,
  TrendsBody,
} from './schemas.ts';
import {
  batchExamples,
  batchResultExamples,
  checkinExamples,
  checkinPageExamples,
  createCheckinExamples,
  emotionTypeListExamples,
  filterExamples,
  insightsExamples,
  notesExamples,
  patternsExamples,
  recommendationsExamples,
  recommendationsResultExamples,
  trendsExamples,
  trendsResultExamples,
} from './examples.ts';

const tags = ['emotions'];

export const emotionsRoutes: FastifyPluginAsyncTypebox<{
  service: EmotionsService;
  analytics: AnalyticsService;
  catalog: () => EmotionCatalog;
  notes: EncryptedNotes;
}> = async (app, { service, analytics, catalog, notes }) => {
  app.get(
    '/types',
    {
      config: { public: true, openapi: { requestHeaders: ['If-None-Match'] } },
      schema: {
        operationId: 'listEmotionTypes',
        tags,
        summary: 'The emotion catalog (names and descriptions in Spanish and English)',
        description:
          'Public and the same for everyone: cache it (Cache-Control: public, max-age=3600) and ' +
          'revalidate with If-None-Match. Check-ins name emotions by these ids.',
        response: {
          200: json('The catalog', EmotionTypeList, {
            headers: { ETag: ResponseHeaders.ETag, 'Cache-Control': ResponseHeaders.CacheControl },
            examples: emotionTypeListExamples,
          }),
          304: notModified,
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const { etag } = catalog();
      reply.header('etag', etag).header('cache-control', 'public, max-age=3600');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return { items: catalog().all() };
    },
  );

  app.post(
    '/',
    {
      config: {
        openapi: {
          requestHeaders: ['Idempotency-Key'],
          bodyExamples: bodyExamples(CreateCheckinBody, createCheckinExamples),
        },
      },
      schema: {
        operationId: 'createCheckin',
        tags,
        summary: 'Record a check-in (Idempotency-Key honoured)',
        description:
          'Notes are a text envelope made by the SDK (docs/encryption.md), bound to the ' +
          "check-in's id: send the id the device chose with them (422 id-required otherwise; " +
          '409 id-taken if it exists). `created_at` may be up to 30 days back for a late entry. ' +
          'A check-in counts for the streak and may earn achievements.',
        body: CreateCheckinBody,
        response: {
          201: json('The check-in as recorded', Checkin, {
            headers: { 'Idempotent-Replayed': ResponseHeaders.IdempotentReplayed },
            examples: checkinExamples,
          }),
          ...errorResponses(409, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await service.create(callerOf(request), request.body, idempotencyOf(request));
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(result.body);
    },
  );

  app.delete(
    '/',
    {
      config: { stepUp: true },
      schema: {
        operationId: 'deleteAllCheckins',
        tags,
        summary: 'Delete every check-in (and what was derived from them); other data stays',
        description:
          'Needs a recent POST /v1/auth/reauthenticate in this session (401 ' +
          'reauthentication-required otherwise). Deletes all the check-ins, including those ' +
          'recorded around journals and tools; analytics, insights and recommendations then ' +
          'start from nothing. Journals, tools and earned achievements stay; progress keeps ' +
          'the days you showed up (streaks do not break) but forgets the emotion of each. ' +
          'Answers how many check-ins were deleted. Cannot be undone.',
        response: {
          200: json('How many check-ins were deleted', DeletedCount),
          ...errorResponses(401),
        },
      },
    },
    (request) => service.deleteAllOf(callerOf(request), requestMeta(request)),
  );

  app.post(
    '/batch',
    {
      config: { openapi: { bodyExamples: bodyExamples(BatchBody, batchExamples) } },
      schema: {
        operationId: 'createCheckinBatch',
        tags,
        summary:
          'Record up to 100 offline check-ins; re-sending the same batch creates nothing new',
        description:
          'For check-ins made offline. Each item carries a client_id the device made (unique per ' +
          'device) and its created_at: an item already recorded answers `duplicate` with its ' +
          'id, so a batch can be re-sent after a timeout. Items are applied one by one: one ' +
          '`rejected` (with its error) does not stop the others. Answers in the order sent.',
        body: BatchBody,
        response: {
          200: json('What became of each item', BatchResult, { examples: batchResultExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => service.createBatch(callerOf(request), request.body.items),
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'listCheckins',
        tags,
        summary: 'Check-ins, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: json('A page of check-ins', CheckinPage, { examples: checkinPageExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) =>
      service.list(callerOf(request), { limit: request.query.limit, cursor: request.query.cursor }),
  );

  app.post(
    '/filter',
    {
      config: { openapi: { bodyExamples: bodyExamples(FilterBody, filterExamples) } },
      schema: {
        operationId: 'filterCheckins',
        tags,
        summary: 'Check-ins matching a filter, newest first',
        description:
          'A POST so that long filters fit; it reads only. `from` and `to` are local days of ' +
          'the user.',
        body: FilterBody,
        response: {
          200: json('A page of the matching check-ins', CheckinPage),
          ...errorResponses(422),
        },
      },
    },
    (request) => service.list(callerOf(request), request.body),
  );

  app.get(
    '/distribution',
    {
      schema: {
        operationId: 'getEmotionDistribution',
        tags,
        summary: 'How often each emotion and category appeared in a range of local days',
        description:
          'Default range: the 30 local days ending today. `from` after `to`, or a range of more ' +
          'than 3,660 days, is a 422 invalid-range.',
        querystring: RangeQuery,
        response: {
          200: json('Counts and shares by emotion and by category', Distribution),
          ...errorResponses(422),
        },
      },
    },
    (request) => analytics.distribution(callerOf(request), request.query),
  );

  app.post(
    '/trends',
    {
      config: { openapi: { bodyExamples: bodyExamples(TrendsBody, trendsExamples) } },
      schema: {
        operationId: 'getEmotionTrends',
        tags,
        summary: 'Buckets by local day, week or month, and the overall direction',
        description:
          'A POST so that the emotion filter fits; it reads only. The direction comes with its ' +
          'confidence and sample size: show it only when the confidence is high enough.',
        body: TrendsBody,
        response: {
          200: json('The buckets and the direction', Trends, { examples: trendsResultExamples }),
          ...errorResponses(422),
        },
      },
    },
    (request) => analytics.trends(callerOf(request), request.body),
  );

  app.post(
    '/patterns',
    {
      config: { openapi: { bodyExamples: bodyExamples(PatternsBody, patternsExamples) } },
      schema: {
        operationId: 'getEmotionPatterns',
        tags,
        summary:
          'Day-of-week and time-of-day profiles, recurring emotions, shifts around journals and tools',
        description:
          'Default range: the 30 local days ending today (422 invalid-range as for the ' +
          'distribution). A POST so that it can grow filters; it reads only.',
        body: PatternsBody,
        response: {
          200: json('The patterns of the range', Patterns),
          ...errorResponses(422),
        },
      },
    },
    (request) => analytics.patterns(callerOf(request), request.body),
  );

  app.get(
    '/insights',
    {
      schema: {
        operationId: 'getEmotionInsights',
        tags,
        summary: "Insights in the user's language, with the numbers behind them",
        response: {
          200: json('Insights, most confident first', Insights, { examples: insightsExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => analytics.insights(callerOf(request)),
  );

  app.post(
    '/recommendations',
    {
      config: {
        openapi: { bodyExamples: bodyExamples(RecommendationsBody, recommendationsExamples) },
      },
      schema: {
        operationId: 'recommendTools',
        tags,
        summary: 'Tools that fit a feeling, ranked, each with a reason',
        description:
          'Ranks the tools meant for this emotion by what helped this user before (their shifts ' +
          'around tools), in their language. It reads only.',
        body: RecommendationsBody,
        response: {
          200: json('Ranked tools', Recommendations, { examples: recommendationsResultExamples }),
          ...errorResponses(422),
        },
      },
    },
    (request) => analytics.recommendations(callerOf(request), request.body),
  );

  app.get(
    '/plaintext-notes',
    {
      schema: {
        operationId: 'listPlaintextNotes',
        tags,
        summary: 'Check-ins whose notes the server still holds in plaintext (oldest first)',
        description:
          'Notes written before notes were encrypted end to end. The SDK encrypts each on the ' +
          'device and writes it back with PUT /v1/emotions/{id}/notes, which takes it off this ' +
          'list (docs/encryption.md). Empty once a client has synced.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: json('A page of check-ins with plaintext notes', CheckinPage),
          ...errorResponses(),
        },
      },
    },
    (request) => notes.plaintext(callerOf(request), request.query),
  );

  app.put(
    '/:id/notes',
    {
      config: { openapi: { bodyExamples: bodyExamples(NotesBody, notesExamples) } },
      schema: {
        operationId: 'replaceCheckinNotes',
        tags,
        summary: "Replace a check-in's notes with an envelope made on the device (or remove them)",
        description:
          'The envelope is bound to this check-in and the field `notes` (docs/encryption.md); ' +
          'null removes the notes.',
        params: IdParams,
        body: NotesBody,
        response: { 200: json('The check-in', Checkin), ...errorResponses(404) },
      },
    },
    (request) => notes.replace(callerOf(request), request.params.id, request.body.notes),
  );

  app.get(
    '/:id',
    {
      schema: {
        operationId: 'getCheckin',
        tags,
        summary: 'One check-in',
        description:
          'Decrypt `notes` on the device with the data key (docs/encryption.md); while ' +
          '`plaintext_fields` names it, it is old plaintext to encrypt and write back (PUT ' +
          '/v1/emotions/{id}/notes).',
        params: IdParams,
        response: {
          200: json('The check-in', Checkin, { examples: checkinExamples }),
          ...errorResponses(404),
        },
      },
    },
    (request) => service.get(callerOf(request), request.params.id),
  );
};
