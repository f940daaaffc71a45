// HTTP routes of /v1/emotions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { DeletedCount, errorResponses, IdParams, PageQuery } from '../../platform/http/schemas.ts';
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
      config: { public: true },
      schema: {
        operationId: 'listEmotionTypes',
        tags,
        summary: 'The emotion catalog (names and descriptions in Spanish and English)',
        response: { 200: EmotionTypeList, 304: Type.Null(), ...errorResponses() },
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
      schema: {
        operationId: 'createCheckin',
        tags,
        summary: 'Record a check-in (Idempotency-Key honoured)',
        body: CreateCheckinBody,
        response: { 201: Checkin, ...errorResponses(409, 422) },
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
        response: { 200: DeletedCount, ...errorResponses(401) },
      },
    },
    (request) => service.deleteAllOf(callerOf(request), requestMeta(request)),
  );

  app.post(
    '/batch',
    {
      schema: {
        operationId: 'createCheckinBatch',
        tags,
        summary:
          'Record up to 100 offline check-ins; re-sending the same batch creates nothing new',
        body: BatchBody,
        response: { 200: BatchResult, ...errorResponses() },
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
        response: { 200: CheckinPage, ...errorResponses() },
      },
    },
    (request) =>
      service.list(callerOf(request), { limit: request.query.limit, cursor: request.query.cursor }),
  );

  app.post(
    '/filter',
    {
      schema: {
        operationId: 'filterCheckins',
        tags,
        summary: 'Check-ins matching a filter, newest first',
        body: FilterBody,
        response: { 200: CheckinPage, ...errorResponses(422) },
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
        querystring: RangeQuery,
        response: { 200: Distribution, ...errorResponses(422) },
      },
    },
    (request) => analytics.distribution(callerOf(request), request.query),
  );

  app.post(
    '/trends',
    {
      schema: {
        operationId: 'getEmotionTrends',
        tags,
        summary: 'Buckets by local day, week or month, and the overall direction',
        body: TrendsBody,
        response: { 200: Trends, ...errorResponses(422) },
      },
    },
    (request) => analytics.trends(callerOf(request), request.body),
  );

  app.post(
    '/patterns',
    {
      schema: {
        operationId: 'getEmotionPatterns',
        tags,
        summary:
          'Day-of-week and time-of-day profiles, recurring emotions, shifts around journals and tools',
        body: PatternsBody,
        response: { 200: Patterns, ...errorResponses(422) },
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
        response: { 200: Insights, ...errorResponses() },
      },
    },
    (request) => analytics.insights(callerOf(request)),
  );

  app.post(
    '/recommendations',
    {
      schema: {
        operationId: 'recommendTools',
        tags,
        summary: 'Tools that fit a feeling, ranked, each with a reason',
        body: RecommendationsBody,
        response: { 200: Recommendations, ...errorResponses(422) },
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
        response: { 200: CheckinPage, ...errorResponses() },
      },
    },
    (request) => notes.plaintext(callerOf(request), request.query),
  );

  app.put(
    '/:id/notes',
    {
      schema: {
        operationId: 'replaceCheckinNotes',
        tags,
        summary: "Replace a check-in's notes with an envelope made on the device (or remove them)",
        params: IdParams,
        body: NotesBody,
        response: { 200: Checkin, ...errorResponses(404) },
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
        params: IdParams,
        response: { 200: Checkin, ...errorResponses(404) },
      },
    },
    (request) => service.get(callerOf(request), request.params.id),
  );
};
