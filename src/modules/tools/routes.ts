// HTTP routes of /v1/tools.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { IdParams, PageQuery } from '../../platform/http/schemas.ts';
import { errorResponses, json, notModified } from '../../platform/http/responses.ts';
import { ResponseHeaders } from '../../platform/http/openapi/headers.ts';
import { bodyExamples } from '../../platform/http/openapi/operation-docs.ts';
import { sendWithEtag } from '../../platform/http/etag.ts';
import { idempotencyOf } from '../../platform/idempotency/idempotency.ts';
import type { ToolsService } from './service.ts';
import {
  CategoryList,
  CategoryParams,
  CategoryTools,
  Favorite,
  LangQuery,
  PagedLangQuery,
  SearchQuery,
  ToolDetail,
  ToolPage,
  Usage,
  UsageBody,
  UsagePage,
} from './schemas.ts';
import {
  categoryListExamples,
  categoryToolsExamples,
  toolExamples,
  toolPageExamples,
  usageExamples,
  usageResultExamples,
} from './examples.ts';

const tags = ['tools'];
/** The answers that revalidate (platform/http/etag.ts): an ETag, and 304 while it matches. */
const revalidated = { ETag: ResponseHeaders.ETag, 'Cache-Control': ResponseHeaders.CacheControl };
const conditional = { openapi: { requestHeaders: ['If-None-Match'] as const } };

export const toolsRoutes: FastifyPluginAsyncTypebox<{ service: ToolsService }> = async (
  app,
  { service },
) => {
  app.get(
    '/categories',
    {
      config: conditional,
      schema: {
        operationId: 'listToolCategories',
        tags,
        summary: 'Tool categories in the user’s language (or ?lang=)',
        description: 'Revalidate a cached copy with If-None-Match (304 while it is current).',
        querystring: LangQuery,
        response: {
          200: json('The categories', CategoryList, {
            headers: revalidated,
            examples: categoryListExamples,
          }),
          304: notModified,
          ...errorResponses(),
        },
      },
    },
    async (request, reply) =>
      sendWithEtag(
        request,
        reply,
        await service.listCategories(callerOf(request), request.query.lang),
      ),
  );

  app.get(
    '/categories/:id',
    {
      config: conditional,
      schema: {
        operationId: 'listToolsInCategory',
        tags,
        summary: 'The tools of a category, paginated',
        description: 'Revalidate a cached page with If-None-Match (304 while it is current).',
        params: CategoryParams,
        querystring: PagedLangQuery,
        response: {
          200: json('The category and a page of its tools', CategoryTools, {
            headers: revalidated,
            examples: categoryToolsExamples,
          }),
          304: notModified,
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) =>
      sendWithEtag(
        request,
        reply,
        await service.categoryTools(callerOf(request), request.params.id, request.query),
      ),
  );

  app.get(
    '/search',
    {
      schema: {
        operationId: 'searchTools',
        tags,
        summary: 'Full-text search in Spanish and English (accents and word forms ignored), ranked',
        description:
          'Every filter is optional: without `q` the tools are listed in order. `emotion` is an ' +
          'emotion type id or code (an unknown one is a 422).',
        querystring: SearchQuery,
        response: {
          200: json('A page of matching tools, best first', ToolPage, {
            examples: toolPageExamples,
          }),
          ...errorResponses(422),
        },
      },
    },
    (request) => service.search(callerOf(request), request.query),
  );

  app.get(
    '/favorites',
    {
      schema: {
        operationId: 'listFavoriteTools',
        tags,
        summary: 'The user’s favorite tools, newest first',
        querystring: PagedLangQuery,
        response: { 200: json('A page of favorite tools', ToolPage), ...errorResponses() },
      },
    },
    (request) => service.listFavorites(callerOf(request), request.query),
  );

  app.get(
    '/usage',
    {
      schema: {
        operationId: 'listToolUsage',
        tags,
        summary: 'The user’s tool sessions, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: json('A page of tool sessions', UsagePage), ...errorResponses() },
      },
    },
    (request) => service.listUsage(callerOf(request), request.query),
  );

  app.get(
    '/:id',
    {
      config: conditional,
      schema: {
        operationId: 'getTool',
        tags,
        summary:
          'A tool with its content, in the user’s language (or ?lang=), falling back to the other',
        description:
          'The `language` field says which language came back. Render `content` by ' +
          '`content_type`. Revalidate a cached copy with If-None-Match (304 while it is current).',
        params: IdParams,
        querystring: LangQuery,
        response: {
          200: json('The tool', ToolDetail, { headers: revalidated, examples: toolExamples }),
          304: notModified,
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) =>
      sendWithEtag(
        request,
        reply,
        await service.getTool(callerOf(request), request.params.id, request.query.lang),
      ),
  );

  app.put(
    '/:id/favorite',
    {
      schema: {
        operationId: 'favoriteTool',
        tags,
        summary: 'Mark as favorite (idempotent)',
        params: IdParams,
        response: { 200: json('It is a favorite', Favorite), ...errorResponses(404) },
      },
    },
    (request) => service.setFavorite(callerOf(request), request.params.id, true),
  );

  app.delete(
    '/:id/favorite',
    {
      schema: {
        operationId: 'unfavoriteTool',
        tags,
        summary: 'Remove from favorites (idempotent)',
        params: IdParams,
        response: { 200: json('It is not a favorite', Favorite), ...errorResponses(404) },
      },
    },
    (request) => service.setFavorite(callerOf(request), request.params.id, false),
  );

  app.post(
    '/:id/usage',
    {
      config: {
        openapi: {
          requestHeaders: ['Idempotency-Key'],
          bodyExamples: bodyExamples(UsageBody, usageExamples),
        },
      },
      schema: {
        operationId: 'recordToolUsage',
        tags,
        summary: 'Record a session with a tool (Idempotency-Key honoured)',
        description:
          'Send it when the person leaves the tool, completed or not; it counts for progress ' +
          'and teaches the recommendations what helps. Times in the future, more than 30 days ' +
          'back, completed_at before started_at, or `completed` without completed_at are a ' +
          '422 invalid-usage.',
        params: IdParams,
        body: UsageBody,
        response: {
          201: json('The session as recorded', Usage, {
            headers: { 'Idempotent-Replayed': ResponseHeaders.IdempotentReplayed },
            examples: usageResultExamples,
          }),
          ...errorResponses(404, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await service.recordUsage(
        callerOf(request),
        request.params.id,
        request.body,
        idempotencyOf(request),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(result.body);
    },
  );
};
