// GET /v1/support/resources: crisis lines and emergency numbers for a country, in Spanish
// or English. Public (no token: someone in distress must reach it even signed out) and
// cacheable by any cache, with an ETag.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Negotiator from 'negotiator';
import { sendWithEtag } from '../../platform/http/etag.ts';
import { ResponseHeaders } from '../../platform/http/openapi/headers.ts';
import { errorResponses, json, notModified } from '../../platform/http/responses.ts';
import type { Language } from '../auth/index.ts';
import type { SupportCatalog } from './catalog.ts';
import { supportExamples } from './examples.ts';
import { SupportQuery, SupportResources } from './schemas.ts';

const LANGUAGES: Language[] = ['es', 'en'];
/** A day in any cache: the numbers change a few times a year, and a deploy changes the ETag. */
const CACHE_CONTROL = 'public, max-age=86400';

export const supportRoutes: FastifyPluginAsyncTypebox<{ catalog: SupportCatalog }> = async (
  app,
  { catalog },
) => {
  app.get(
    '/resources',
    {
      config: { public: true, openapi: { requestHeaders: ['If-None-Match'] as const } },
      schema: {
        operationId: 'getSupportResources',
        tags: ['support'],
        security: [],
        summary: 'Crisis lines and the emergency number of a country',
        description:
          'Public: reachable without a token, from any screen. `country` is the profile’s ' +
          '(GET /v1/users/me answers it, from the time zone unless the person chose one). ' +
          'Without `lang`, the language comes from Accept-Language (Spanish by default). A ' +
          'country without checked numbers answers `emergency: null`, no resources and a ' +
          'sentence that says so. Every number names the public page it was checked on.',
        querystring: SupportQuery,
        response: {
          200: json('The numbers for that country, in that language', SupportResources, {
            headers: { ETag: ResponseHeaders.ETag, 'Cache-Control': ResponseHeaders.CacheControl },
            examples: supportExamples,
          }),
          304: notModified,
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const language =
        request.query.lang ??
        (new Negotiator(request).language(LANGUAGES) as Language | undefined) ??
        'es';
      if (!request.query.lang) reply.header('vary', 'Accept-Language');
      return sendWithEtag(
        request,
        reply,
        catalog.answer(request.query.country, language),
        CACHE_CONTROL,
      );
    },
  );
};
