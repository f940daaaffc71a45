// HTTP routes of /v1/users/me/export: a copy of everything the account holds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, IdParams } from '../../../platform/http/schemas.ts';
import { registerDownloadRoute } from '../../../platform/http/download-route.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { DataExportService } from './service.ts';
import { DataExport } from './schemas.ts';

const tags = ['users'];

export const dataExportRoutes: FastifyPluginAsyncTypebox<{ service: DataExportService }> = async (
  app,
  { service },
) => {
  app.post(
    '/',
    {
      // Everything the account holds leaves with it: a fresh proof that it is the owner.
      config: { stepUp: true },
      schema: {
        operationId: 'startDataExport',
        tags,
        summary: 'Start an export of all your data (a zip); answers with the one under way if any',
        description:
          'Needs a recent POST /v1/auth/reauthenticate (401 reauthentication-required otherwise). ' +
          'Poll GET /v1/users/me/export/{id} until status is ready, then download download_url.',
        response: { 202: DataExport, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const started = await service.request(callerOf(request), requestMeta(request));
      return reply.code(202).header('location', `/v1/users/me/export/${started.id}`).send(started);
    },
  );

  registerDownloadRoute(app, {
    url: '/download/:token',
    operationId: 'downloadDataExport',
    tags,
    summary: 'Download an export through its signed, time-limited link',
    open: (token) => service.open(token),
    filename: (name) => `amira-export-${name}`,
  });

  app.get(
    '/:id',
    {
      schema: {
        operationId: 'getDataExport',
        tags,
        summary: 'How an export is going; when ready, a fresh download link',
        params: IdParams,
        response: { 200: DataExport, ...errorResponses(404, 503) },
      },
    },
    (request) => service.status(callerOf(request), request.params.id),
  );
};
