// HTTP routes of /v1/tools.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses, IdParams, PageQuery } from '../../platform/http/schemas.ts';
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

const tags = ['tools'];
const notModified = { 304: Type.Null() };

export const toolsRoutes: FastifyPluginAsyncTypebox<{ service: ToolsService }> = async (
  app,
  { service },
) => {
  app.get(
    '/categories',
    {
      schema: {
        operationId: 'listToolCategories',
        tags,
        summary: 'Tool categories in the user’s language (or ?lang=)',
        querystring: LangQuery,
        response: { 200: CategoryList, ...notModified, ...errorResponses() },
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
      schema: {
        operationId: 'listToolsInCategory',
        tags,
        summary: 'The tools of a category, paginated',
        params: CategoryParams,
        querystring: PagedLangQuery,
        response: { 200: CategoryTools, ...notModified, ...errorResponses(404) },
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
        querystring: SearchQuery,
        response: { 200: ToolPage, ...errorResponses(422) },
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
        response: { 200: ToolPage, ...errorResponses() },
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
        response: { 200: UsagePage, ...errorResponses() },
      },
    },
    (request) => service.listUsage(callerOf(request), request.query),
  );

  app.get(
    '/:id',
    {
      schema: {
        operationId: 'getTool',
        tags,
        summary:
          'A tool with its content, in the user’s language (or ?lang=), falling back to the other',
        params: IdParams,
        querystring: LangQuery,
        response: { 200: ToolDetail, ...notModified, ...errorResponses(404) },
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
        response: { 200: Favorite, ...errorResponses(404) },
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
        response: { 200: Favorite, ...errorResponses(404) },
      },
    },
    (request) => service.setFavorite(callerOf(request), request.params.id, false),
  );

  app.post(
    '/:id/usage',
    {
      schema: {
        operationId: 'recordToolUsage',
        tags,
        summary: 'Record a session with a tool (Idempotency-Key honoured)',
        params: IdParams,
        body: UsageBody,
        response: { 201: Usage, ...errorResponses(404, 422) },
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
