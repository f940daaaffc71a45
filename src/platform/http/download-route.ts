// The public route that serves a signed download link (platform/storage/download-links.ts):
// the token is the only credential, so the route takes no bearer token; the zip streams
// from storage and no cache keeps it.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DownloadLinks } from '../storage/download-links.ts';
import { ResponseHeaders } from './openapi/headers.ts';
import { binary, errorResponses } from './responses.ts';

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
        description:
          'The link is the credential: no Authorization header. 403 when the link was altered, ' +
          '410 when it expired or what it names is gone; ask for a fresh link then.',
        produces: ['application/zip'],
        response: {
          200: binary('The zip', 'application/zip', {
            'Content-Disposition': ResponseHeaders.ContentDisposition,
            'Cache-Control': ResponseHeaders.CacheControl,
          }),
          ...errorResponses(403, 410, 503),
        },
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
