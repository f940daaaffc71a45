// The public route that serves a signed download link (platform/storage/download-links.ts):
// the token is the only credential, so the route takes no bearer token; the zip streams
// from storage and no cache keeps it.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DownloadLinks } from '../storage/download-links.ts';
import { Binary, errorResponses } from './schemas.ts';

export const DownloadParams = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 2048 }) },
  { additionalProperties: false },
);

export function registerDownloadRoute(
  app: FastifyInstance,
  route: {
    url: string;
    operationId: string;
    tags: string[];
    summary: string;
    open: DownloadLinks['open'];
    /** The name the browser saves the file under, from the object's own name. */
    filename?: (name: string) => string;
  },
): void {
  app.get<{ Params: { token: string } }>(
    route.url,
    {
      config: { public: true },
      schema: {
        operationId: route.operationId,
        tags: route.tags,
        summary: route.summary,
        params: DownloadParams,
        produces: ['application/zip'],
        response: { 200: Binary, ...errorResponses(403, 410, 503) },
      },
    },
    async (request, reply) => {
      const { stream, filename } = await route.open(request.params.token);
      return reply
        .header('content-type', 'application/zip')
        .header(
          'content-disposition',
          `attachment; filename="${route.filename?.(filename) ?? filename}"`,
        )
        .header('cache-control', 'private, no-store')
        .send(stream);
    },
  );
}
