// HTTP routes of /v1/journals. The upload is multipart/form-data: a `metadata` part (JSON)
// first, then the `audio` part (read by upload/multipart.ts), streamed straight through to
// storage.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { AppError } from '../../platform/errors.ts';
import {
  Binary,
  DeletedCount,
  errorResponses,
  IdParams,
  PageQuery,
} from '../../platform/http/schemas.ts';
import { requestMeta } from '../../platform/http/request-meta.ts';
import { registerDownloadRoute } from '../../platform/http/download-route.ts';
import { idempotencyOf } from '../../platform/idempotency/idempotency.ts';
import type { ByteRange } from '../../platform/storage/storage.ts';
import type { JournalsService } from './service.ts';
import type { EncryptedTitles } from './encrypted-titles.ts';
import { METADATA_LIMIT, readUploadParts } from './upload/multipart.ts';
import {
  DeletedResult,
  ExportLink,
  FavoriteResult,
  FilterBody,
  Journal,
  JournalDetail,
  JournalPage,
  ReencryptionBody,
  ReencryptionMetadata,
  TitleBody,
  UploadBody,
} from './schemas.ts';

const tags = ['journals'];

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else (several ranges included) is ignored. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  return { start: Number(match[1]), end: match[2] === '' ? size - 1 : Number(match[2]) };
}

function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart()) {
    throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', {
      detail: 'Send multipart/form-data with a metadata part and an audio part',
    });
  }
}

export const journalsRoutes: FastifyPluginAsyncTypebox<{
  service: JournalsService;
  titles: EncryptedTitles;
  maxUploadBytes: number;
}> = async (app, { service, titles, maxUploadBytes }) => {
  // A multipart body is a stream read by the handler, which validates its parts; the path
  // and query are validated as everywhere.
  const compile = app.validatorCompiler;
  if (!compile) throw new Error('the app sets its validator compiler before the routes');
  const exceptBody: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? () => true : compile(route);

  await app.register(multipart, {
    limits: {
      fileSize: maxUploadBytes + 1,
      files: 2, // the audio, and the metadata when a client sends it as a file part
      fields: 2,
      fieldSize: METADATA_LIMIT,
      parts: 3,
      headerPairs: 50,
    },
    throwFileSizeLimit: false, // the inspector refuses oversized recordings with a problem document
    // Larger buffers between the parser, the inspector and storage: fewer, bigger chunks.
    fileHwm: 1024 * 1024,
    highWaterMark: 1024 * 1024,
  });

  app.post(
    '/',
    {
      bodyLimit: maxUploadBytes + 1024 * 1024,
      validatorCompiler: exceptBody,
      schema: {
        operationId: 'uploadJournal',
        tags,
        summary:
          'Upload an encrypted recording (multipart: metadata, then audio); Idempotency-Key honoured',
        consumes: ['multipart/form-data'],
        body: UploadBody,
        response: { 201: JournalDetail, ...errorResponses(409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      requireMultipart(request);
      const caller = callerOf(request);
      const { metadata, audio } = await readUploadParts(request.parts());
      const result = await service.create(
        caller,
        metadata,
        audio,
        idempotencyOf(request, metadata),
        // The quota is reserved up front from the declared size (none when chunked).
        { declaredBytes: Number(request.headers['content-length']) || undefined },
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(result.body);
    },
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'listJournals',
        tags,
        summary: 'Recordings, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: JournalPage, ...errorResponses() },
      },
    },
    (request) =>
      service.list(callerOf(request), { limit: request.query.limit, cursor: request.query.cursor }),
  );

  app.post(
    '/filter',
    {
      schema: {
        operationId: 'filterJournals',
        tags,
        summary: 'Recordings matching a filter, newest first',
        body: FilterBody,
        response: { 200: JournalPage, ...errorResponses(422) },
      },
    },
    (request) => service.list(callerOf(request), request.body),
  );

  registerDownloadRoute(app, {
    url: '/exports/:token',
    operationId: 'downloadJournalExport',
    tags,
    summary: 'Download an export bundle through its signed, time-limited link',
    open: (token) => service.openExport(token),
  });

  app.get(
    '/:id',
    {
      schema: {
        operationId: 'getJournal',
        tags,
        summary: 'A recording with its audio metadata, linked check-ins and emotional shift',
        params: IdParams,
        response: { 200: JournalDetail, ...errorResponses(404) },
      },
    },
    (request) => service.get(callerOf(request), request.params.id),
  );

  app.get(
    '/:id/audio',
    {
      // Ciphertext never shrinks, and @fastify/compress counts application/octet-stream as
      // compressible (mime-db): gzipping a 50 MiB recording made its download 6 times slower
      // (24 against 158 MiB/s) for every client sending Accept-Encoding, as OkHttp, URLSession
      // and fetch all do.
      compress: false,
      schema: {
        operationId: 'getJournalAudio',
        tags,
        summary:
          'The encrypted audio (Range and If-None-Match supported; IV and algorithm in headers)',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: { 200: Binary, 206: Binary, 304: Type.Null(), ...errorResponses(404, 416, 503) },
      },
    },
    async (request, reply) => {
      const audio = await service.openAudio(callerOf(request), request.params.id, (size) =>
        parseRange(request.headers.range, size),
      );
      const tag = `"${audio.checksum}"`;
      reply
        .header('etag', tag)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=0, must-revalidate')
        .header('x-encryption-algorithm', audio.algorithm)
        .header('x-encryption-iv', audio.iv)
        .header('content-type', 'application/octet-stream');
      if (request.headers['if-none-match'] === tag) {
        audio.stream.destroy();
        return reply.code(304).send(null);
      }
      if (audio.range) {
        return reply
          .code(206)
          .header('content-range', `bytes ${audio.range.start}-${audio.range.end}/${audio.size}`)
          .header('content-length', audio.range.end - audio.range.start + 1)
          .send(audio.stream);
      }
      return reply.header('content-length', audio.size).send(audio.stream);
    },
  );

  app.put(
    '/:id/audio',
    {
      bodyLimit: maxUploadBytes + 1024 * 1024,
      validatorCompiler: exceptBody,
      schema: {
        operationId: 'replaceJournalAudio',
        tags,
        summary: "Replace a recording's ciphertext with a re-encryption made on the device",
        description:
          'multipart/form-data like the upload: a metadata part (ReencryptionMetadata), then ' +
          'the audio. How the SDK moves whole-file recordings to segments and gives older ' +
          'recordings a key of their own (docs/encryption.md). A journal with a key keeps it ' +
          '(422 journal-key-fixed if another is sent), so its share links keep opening; one ' +
          'without needs journal_key (422 journal-key-required) and, if its title is ' +
          'encrypted, the title under the new key (422 title-required). The same checks as an ' +
          'upload (size, quota with the replaced recording counted as free, IV never reused: a ' +
          'retried request whose first attempt succeeded gets 409 iv-reused).',
        consumes: ['multipart/form-data'],
        params: IdParams,
        body: ReencryptionBody,
        response: { 200: JournalDetail, ...errorResponses(404, 409, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      requireMultipart(request);
      const caller = callerOf(request);
      const { metadata, audio } = await readUploadParts(request.parts(), ReencryptionMetadata);
      await service.replaceAudio(caller, request.params.id, metadata, audio, {
        declaredBytes: Number(request.headers['content-length']) || undefined,
      });
      return service.get(caller, request.params.id);
    },
  );

  app.get(
    '/plaintext-titles',
    {
      schema: {
        operationId: 'listPlaintextTitles',
        tags,
        summary: 'Journals whose title the server still holds in plaintext (oldest first)',
        description:
          'Titles written before titles were encrypted end to end. The SDK encrypts each on ' +
          'the device and writes it back with PUT /v1/journals/{id}/title, which takes it off ' +
          'this list (docs/encryption.md). Empty once a client has synced.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: JournalPage, ...errorResponses() },
      },
    },
    (request) => titles.plaintext(callerOf(request), request.query),
  );

  app.put(
    '/:id/title',
    {
      schema: {
        operationId: 'replaceJournalTitle',
        tags,
        summary: "Replace a journal's title with an envelope made on the device (or remove it)",
        params: IdParams,
        body: TitleBody,
        response: { 200: Journal, ...errorResponses(404) },
      },
    },
    (request) => titles.replace(callerOf(request), request.params.id, request.body.title),
  );

  app.put(
    '/:id/favorite',
    {
      schema: {
        operationId: 'favoriteJournal',
        tags,
        summary: 'Mark as favorite (idempotent)',
        params: IdParams,
        response: { 200: FavoriteResult, ...errorResponses(404) },
      },
    },
    (request) => service.setFavorite(callerOf(request), request.params.id, true),
  );

  app.delete(
    '/:id/favorite',
    {
      schema: {
        operationId: 'unfavoriteJournal',
        tags,
        summary: 'Remove from favorites (idempotent)',
        params: IdParams,
        response: { 200: FavoriteResult, ...errorResponses(404) },
      },
    },
    (request) => service.setFavorite(callerOf(request), request.params.id, false),
  );

  app.delete(
    '/',
    {
      config: { stepUp: true },
      schema: {
        operationId: 'deleteAllJournals',
        tags,
        summary: 'Delete every recording at once, those in the trash included; other data stays',
        description:
          'Needs a recent POST /v1/auth/reauthenticate in this session (401 ' +
          'reauthentication-required otherwise). No restore: the rows go at once, the audio ' +
          'objects right after, and every export link stops working. The check-ins recorded ' +
          'before and after each journal stay in the emotions history; progress keeps the ' +
          'days you showed up. Answers how many recordings were deleted.',
        response: { 200: DeletedCount, ...errorResponses(401) },
      },
    },
    (request) => service.removeAll(callerOf(request), requestMeta(request)),
  );

  app.delete(
    '/:id',
    {
      schema: {
        operationId: 'deleteJournal',
        tags,
        summary:
          'Delete a recording (hidden at once; restorable during the retention window, then purged)',
        params: IdParams,
        response: { 200: DeletedResult, ...errorResponses(404) },
      },
    },
    (request) => service.remove(callerOf(request), request.params.id, requestMeta(request)),
  );

  app.post(
    '/:id/restore',
    {
      schema: {
        operationId: 'restoreJournal',
        tags,
        summary: 'Restore a deleted recording within the retention window',
        params: IdParams,
        response: { 200: JournalDetail, ...errorResponses(404) },
      },
    },
    (request) => service.restore(callerOf(request), request.params.id),
  );

  app.post(
    '/:id/export',
    {
      schema: {
        operationId: 'exportJournal',
        tags,
        summary: 'A signed, time-limited link to a bundle (metadata JSON and ciphertext)',
        params: IdParams,
        response: { 200: ExportLink, ...errorResponses(404, 503) },
      },
    },
    (request) => service.exportJournal(callerOf(request), request.params.id),
  );
};
