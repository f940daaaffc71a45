// HTTP routes of /v1/admin/tools and /v1/admin/tool-categories (scope content:write).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { Type } from 'typebox';
import { IdParams, PageQuery } from '../../../platform/http/schemas.ts';
import { errorResponses, json, noBody } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { categoryDefinitionExamples, toolDefinitionExamples } from '../examples.ts';
import type { ToolsAdminService } from './service.ts';
import {
  AdminCategory,
  AdminCategoryBody,
  AdminCategoryList,
  AdminTool,
  AdminToolBody,
  AdminToolPage,
  CategoryParams,
} from '../schemas.ts';

const tags = ['content management'];
const contentWrite = { scope: 'content:write' } as const;
const writesTool = {
  ...contentWrite,
  openapi: { bodyExamples: bodyExamples(AdminToolBody, toolDefinitionExamples) },
};
const writesCategory = {
  ...contentWrite,
  openapi: { bodyExamples: bodyExamples(AdminCategoryBody, categoryDefinitionExamples) },
};

export const toolsAdminRoutes: FastifyPluginAsyncTypebox<{ service: ToolsAdminService }> = async (
  app,
  { service },
) => {
  app.get(
    '/tools',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminListTools',
        tags,
        summary: 'Every tool, active or not',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: json('A page of tools', AdminToolPage), ...errorResponses() },
      },
    },
    (request) => service.listTools(callerOf(request), request.query),
  );
  app.post(
    '/tools',
    {
      config: writesTool,
      schema: {
        operationId: 'adminCreateTool',
        tags,
        summary: 'Create a tool',
        description:
          'Each translation’s content must match the content_type (422 invalid-tool-content ' +
          'with the pointer); a code taken is a 409 code-taken.',
        body: AdminToolBody,
        response: { 201: json('The tool as created', AdminTool), ...errorResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createTool(callerOf(request), request.body)),
  );
  app.put(
    '/tools/:id',
    {
      config: writesTool,
      schema: {
        operationId: 'adminReplaceTool',
        tags,
        summary: 'Replace a tool (is_active: false withdraws it)',
        params: IdParams,
        body: AdminToolBody,
        response: {
          200: json('The tool as replaced', AdminTool),
          ...errorResponses(404, 409, 422),
        },
      },
    },
    (request) => service.replaceTool(callerOf(request), request.params.id, request.body),
  );
  app.delete(
    '/tools/:id',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminWithdrawTool',
        tags,
        summary: 'Withdraw a tool (usage history stays)',
        params: IdParams,
        response: { 200: json('The tool, withdrawn', AdminTool), ...errorResponses(404) },
      },
    },
    (request) => service.deactivateTool(callerOf(request), request.params.id),
  );

  app.get(
    '/tool-categories',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminListToolCategories',
        tags,
        summary: 'Every category',
        response: { 200: json('The categories', AdminCategoryList), ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listCategories(callerOf(request)) }),
  );
  app.post(
    '/tool-categories',
    {
      config: writesCategory,
      schema: {
        operationId: 'adminCreateToolCategory',
        tags,
        summary: 'Create a category',
        body: AdminCategoryBody,
        response: { 201: json('The category as created', AdminCategory), ...errorResponses(409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createCategory(callerOf(request), request.body)),
  );
  app.put(
    '/tool-categories/:id',
    {
      config: writesCategory,
      schema: {
        operationId: 'adminReplaceToolCategory',
        tags,
        summary: 'Replace a category',
        params: CategoryParams,
        body: AdminCategoryBody,
        response: {
          200: json('The category as replaced', AdminCategory),
          ...errorResponses(404, 409),
        },
      },
    },
    (request) => service.replaceCategory(callerOf(request), request.params.id, request.body),
  );
  app.delete(
    '/tool-categories/:id',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminDeleteToolCategory',
        tags,
        summary: 'Delete an empty category',
        params: CategoryParams,
        response: { 204: noBody('The category is deleted'), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await service.deleteCategory(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
