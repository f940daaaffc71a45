// HTTP routes of /v1/users/me/export: a copy of everything the account holds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { IdParams } from '../../../platform/http/schemas.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { ResponseHeaders } from '../../../platform/http/openapi/headers.ts';
import type { Examples } from '../../../platform/http/openapi/operation-docs.ts';
import { lucia } from '../../../platform/http/openapi/example-values.ts';
import { registerDownloadRoute } from '../../../platform/http/download-route.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { DataExportService } from './service.ts';
import { DataExport, type DataExportDto } from './schemas.ts';

const exportExamples: Examples<DataExportDto> = {
  queued: {
    summary: 'Just asked for',
    value: {
      id: 'a5d3c1e2-7f48-4b19-9c60-2e8d4f7a1b35',
      status: 'queued',
      progress: 0,
      created_at: '2026-03-09T16:00:00.000Z',
      completed_at: null,
      expires_at: '2026-03-16T16:00:00.000Z',
      size_bytes: null,
      download_url: null,
    },
  },
  ready: {
    summary: `${lucia.display_name}'s export, ready to download`,
    value: {
      id: 'a5d3c1e2-7f48-4b19-9c60-2e8d4f7a1b35',
      status: 'ready',
      progress: 100,
      created_at: '2026-03-09T16:00:00.000Z',
      completed_at: '2026-03-09T16:00:41.000Z',
      expires_at: '2026-03-16T16:00:00.000Z',
      size_bytes: 48213504,
      download_url:
        'https://api.amirawellness.com/v1/users/me/export/download/eyJrIjoiZXhwb3J0cy9hNWQzIiwiZSI6MTc3MzA3NTYwMH0.pQ8vXz2m',
    },
  },
};

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
        response: {
          202: json('The export under way', DataExport, {
            headers: { Location: ResponseHeaders.Location },
            examples: { queued: exportExamples.queued! },
          }),
          ...errorResponses(),
        },
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
        description:
          'Poll until `status` is ready (or failed). Each answer signs a new download_url: ask ' +
          'again when the last one expired. The archive is deleted at expires_at.',
        params: IdParams,
        response: {
          200: json('The export', DataExport, { examples: exportExamples }),
          ...errorResponses(404, 503),
        },
      },
    },
    (request) => service.status(callerOf(request), request.params.id),
  );
};
