// HTTP routes of /v1/admin/tools and /v1/admin/tool-categories (scope content:write).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, IdParams, PageQuery } from '../../../platform/http/schemas.ts';
import type { ToolsAdminService } from './service.ts';
import {
  AdminCategory,
  AdminCategoryBody,
  AdminTool,
  AdminToolBody,
  AdminToolPage,
  CategoryParams,
} from '../schemas.ts';

const tags = ['content management'];
const contentWrite = { scope: 'content:write' } as const;

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
        response: { 200: AdminToolPage, ...errorResponses() },
      },
    },
    (request) => service.listTools(callerOf(request), request.query),
  );
  app.post(
    '/tools',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminCreateTool',
        tags,
        summary: 'Create a tool',
        body: AdminToolBody,
        response: { 201: AdminTool, ...errorResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createTool(callerOf(request), request.body)),
  );
  app.put(
    '/tools/:id',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminReplaceTool',
        tags,
        summary: 'Replace a tool (is_active: false withdraws it)',
        params: IdParams,
        body: AdminToolBody,
        response: { 200: AdminTool, ...errorResponses(404, 409, 422) },
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
        response: { 200: AdminTool, ...errorResponses(404) },
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
        response: { 200: Type.Object({ items: Type.Array(AdminCategory) }), ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listCategories(callerOf(request)) }),
  );
  app.post(
    '/tool-categories',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminCreateToolCategory',
        tags,
        summary: 'Create a category',
        body: AdminCategoryBody,
        response: { 201: AdminCategory, ...errorResponses(409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createCategory(callerOf(request), request.body)),
  );
  app.put(
    '/tool-categories/:id',
    {
      config: contentWrite,
      schema: {
        operationId: 'adminReplaceToolCategory',
        tags,
        summary: 'Replace a category',
        params: CategoryParams,
        body: AdminCategoryBody,
        response: { 200: AdminCategory, ...errorResponses(404, 409) },
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
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await service.deleteCategory(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
