// HTTP routes of share links: the owner's (under /v1/journals/{id}/shares) and the
// recipient's, who has no account: what the share holds (/v1/shares/{id}), its ciphertext
// (/v1/shares/{id}/audio) and the page that opens it (/s/{id}, docs/encryption.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { isUuid } from '../../../platform/db/database.ts';
import { IdParams } from '../../../platform/http/schemas.ts';
import { binary, errorResponses, json } from '../../../platform/http/responses.ts';
import { ResponseHeaders } from '../../../platform/http/openapi/headers.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import {
  createShareExamples,
  publicShareExamples,
  shareExamples,
  shareListExamples,
} from '../examples.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import type { JournalsService } from '../service.ts';
import { SHARE_PAGE_CSP, type SharePage } from './page.ts';
import { CreateShareBody, PublicShare, Share, ShareList, ShareParams } from './schemas.ts';

const tags = ['journals'];
const publicRoute = { public: true } as const;

export const ownerShareRoutes: FastifyPluginAsyncTypebox<{ service: JournalsService }> = async (
  app,
  { service },
) => {
  app.post(
    '/:id/shares',
    {
      // Every field has a default: a client that sends no body (or an empty one under a
      // JSON content type, as OkHttp and URLSession do) asks for the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      config: { openapi: { bodyExamples: bodyExamples(CreateShareBody, createShareExamples) } },
      schema: {
        operationId: 'createShare',
        tags,
        summary: 'Share a recording through a link that opens without an account',
        description:
          'The link (`url`) is completed on the device with `#` and the journal key, which ' +
          'never reaches the server (docs/encryption.md, sharing). Expires after ' +
          '`expires_in_days` (default 7, at most 30); `max_downloads` limits how many times ' +
          'the recording can be downloaded through it. At most 20 open links per recording ' +
          '(409 too-many-shares); a recording without a journal key cannot be shared (409 ' +
          'journal-key-required). Recorded in the security events.',
        params: IdParams,
        body: CreateShareBody,
        response: {
          201: json('The share link (complete `url` on the device)', Share, {
            examples: shareExamples,
          }),
          ...errorResponses(404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const share = await service.createShare(
        callerOf(request),
        request.params.id,
        request.body,
        requestMeta(request),
      );
      return reply.code(201).send(share);
    },
  );

  app.get(
    '/:id/shares',
    {
      schema: {
        operationId: 'listShares',
        tags,
        summary: "A recording's share links, newest first (the last 100, closed ones included)",
        description:
          '`label` is the envelope sent at creation: decrypt it on the device. `url` lacks the ' +
          'key: the SDK adds it from the journal key when the link is shown again.',
        params: IdParams,
        response: {
          200: json("The recording's share links", ShareList, { examples: shareListExamples }),
          ...errorResponses(404),
        },
      },
    },
    (request) => service.listShares(callerOf(request), request.params.id),
  );

  app.delete(
    '/:id/shares/:shareId',
    {
      schema: {
        operationId: 'revokeShare',
        tags,
        summary: 'Revoke a share link at once (idempotent); recorded in the security events',
        params: ShareParams,
        response: { 200: json('The share link, revoked', Share), ...errorResponses(404) },
      },
    },
    (request) =>
      service.revokeShare(
        callerOf(request),
        request.params.id,
        request.params.shareId,
        requestMeta(request),
      ),
  );
};

export const recipientShareRoutes: FastifyPluginAsyncTypebox<{
  service: JournalsService;
  page: SharePage;
}> = async (app, { service, page }) => {
  app.get(
    '/v1/shares/:id',
    {
      config: publicRoute,
      schema: {
        operationId: 'getSharedJournal',
        tags,
        summary: 'What a share link opens, for the share page (no account; not a download)',
        description:
          'The title envelope, the encryption parameters and the ciphertext size. 404 ' +
          'share-not-found; 410 share-expired, share-revoked or share-exhausted.',
        params: IdParams,
        response: {
          200: json('What the link opens', PublicShare, { examples: publicShareExamples }),
          ...errorResponses(404, 410),
        },
      },
    },
    (request) => service.describeShare(request.params.id),
  );

  app.get(
    '/v1/shares/:id/audio',
    {
      config: publicRoute,
      compress: false, // ciphertext does not shrink (see GET /v1/journals/{id}/audio)
      schema: {
        operationId: 'getSharedJournalAudio',
        tags,
        summary: 'The encrypted recording through a share link; each request is one download',
        description:
          'The whole ciphertext (no ranges: every request counts against max_downloads). ' +
          '410 once the link is expired, revoked or used up.',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: {
          200: binary(
            'The whole ciphertext: decrypt it with the journal key from the link’s fragment',
            'application/octet-stream',
            {
              'Content-Length': ResponseHeaders.ContentLength,
              'Cache-Control': ResponseHeaders.CacheControl,
              'X-Checksum-SHA256': ResponseHeaders.ChecksumSha256,
            },
          ),
          ...errorResponses(404, 410, 503),
        },
      },
    },
    async (request, reply) => {
      const audio = await service.downloadShared(request.params.id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', audio.size)
        .header('cache-control', 'private, no-store')
        .header('x-checksum-sha256', audio.checksum)
        .send(audio.stream);
    },
  );

  const pageHeaders = {
    'content-security-policy': SHARE_PAGE_CSP,
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex, nofollow',
  };

  app.get(
    '/s/:id',
    {
      config: publicRoute,
      schema: {
        hide: true,
        params: Type.Object(
          { id: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'accept-language': Type.Optional(Type.String()) }),
      },
    },
    (request, reply) =>
      reply
        // A mangled link still gets the page, which tells the person what to do (a 404).
        .code(isUuid(request.params.id) ? 200 : 404)
        .headers({ ...pageHeaders, 'cache-control': 'no-store', vary: 'accept-language' })
        .type('text/html; charset=utf-8')
        .send(page.html(request.headers['accept-language'])),
  );

  const asset = (url: string, type: string, body: string) =>
    app.get(url, { config: publicRoute, schema: { hide: true } }, (_request, reply) =>
      reply
        .headers({ ...pageHeaders, 'cache-control': 'public, max-age=300' })
        .type(type)
        .send(body),
    );
  asset('/s/assets/share.js', 'text/javascript; charset=utf-8', page.script);
  asset('/s/assets/share.css', 'text/css; charset=utf-8', page.stylesheet);
};
