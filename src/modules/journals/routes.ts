// HTTP routes of /v1/journals. The upload is multipart/form-data: a `metadata` part (JSON)
// first, then the `audio` part (read by upload/multipart.ts), streamed straight through to
// storage.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { AppError } from '../../platform/errors.ts';
import { DeletedCount, IdParams, PageQuery } from '../../platform/http/schemas.ts';
import { binary, errorResponses, json, notModifiedWith } from '../../platform/http/responses.ts';
import { ResponseHeaders } from '../../platform/http/openapi/headers.ts';
import {
  binarySchema,
  bodyExamples,
  componentRef,
  multipartBody,
} from '../../platform/http/openapi/operation-docs.ts';
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
  ReencryptionMetadata,
  TitleBody,
  UploadMetadata,
} from './schemas.ts';
import {
  deletedExamples,
  exportLinkExamples,
  filterExamples,
  journalDetailExamples,
  journalExamples,
  journalPageExamples,
  reencryptionExamples,
  titleExamples,
  uploadExamples,
} from './examples.ts';

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

/**
 * The multipart body of an upload, for the document only: the handler reads the parts as a
 * stream (upload/multipart.ts), so no route schema may make Fastify validate or buffer it.
 */
function recordingBody(
  metadata: typeof UploadMetadata | typeof ReencryptionMetadata,
  description: string,
  examples: Parameters<typeof multipartBody>[0]['examples'],
) {
  return multipartBody({
    description,
    parts: {
      metadata: { schema: componentRef(metadata), contentType: 'application/json' },
      audio: {
        schema: binarySchema(
          'application/octet-stream',
          'The ciphertext made on the device (docs/encryption.md), after the metadata part',
        ),
        contentType: 'application/octet-stream',
      },
    },
    examples,
  });
}

const audioHeaders = {
  ETag: ResponseHeaders.ETag,
  'Accept-Ranges': ResponseHeaders.AcceptRanges,
  'Cache-Control': ResponseHeaders.CacheControl,
  'X-Encryption-Algorithm': ResponseHeaders.EncryptionAlgorithm,
  'X-Encryption-IV': ResponseHeaders.EncryptionIv,
};

export const journalsRoutes: FastifyPluginAsyncTypebox<{
  service: JournalsService;
  titles: EncryptedTitles;
  maxUploadBytes: number;
}> = async (app, { service, titles, maxUploadBytes }) => {
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
      // The body is a stream the handler reads part by part (no body schema: nothing
      // validates or buffers it before); the parts are described for the document only.
      config: {
        openapi: {
          requestHeaders: ['Idempotency-Key'],
          requestBody: recordingBody(
            UploadMetadata,
            'multipart/form-data with two parts, in this order: `metadata` (JSON, up to 16 KB: ' +
              'a plain field, a field typed application/json or a file part) and `audio` (the ' +
              'ciphertext).',
            uploadExamples,
          ),
        },
      },
      schema: {
        operationId: 'uploadJournal',
        tags,
        summary:
          'Upload an encrypted recording (multipart: metadata, then audio); Idempotency-Key honoured',
        description:
          'The recording is encrypted on the device before it leaves (docs/encryption.md; the ' +
          'SDK does all of it): (1) make a random journal key and wrap it under the data key ' +
          '(`journal_key`); (2) encrypt the audio with AES-256-GCM in 64 KiB segments under a ' +
          'key derived from the journal key, with a fresh 7-byte nonce prefix (`encryption.iv`) and the ' +
          "journal's id in the AAD; (3) hash the ciphertext (`encryption.checksum_sha256`); " +
          '(4) encrypt the title under the journal key, bound to the id the device chose ' +
          '(`id`). The server streams the ciphertext to storage, checks its size, checksum and ' +
          'segment layout, and never sees a key. Check-ins made before and after recording ' +
          'come along in the metadata (their notes encrypted too). An IV this user used before ' +
          'is a 409 iv-reused, a journal id taken a 409 id-taken; a recording over the size ' +
          'limit or the storage quota a 413 (payload-too-large, storage-quota-exceeded); bytes ' +
          'that do not look like this ciphertext a 422.',
        response: {
          201: json('The recording as stored, with its check-ins', JournalDetail, {
            headers: { 'Idempotent-Replayed': ResponseHeaders.IdempotentReplayed },
            examples: journalDetailExamples,
          }),
          ...errorResponses(409, 413, 415, 422, 503),
        },
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
        description: 'Recordings in the trash are left out.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: json('A page of recordings', JournalPage, { examples: journalPageExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) =>
      service.list(callerOf(request), { limit: request.query.limit, cursor: request.query.cursor }),
  );

  app.post(
    '/filter',
    {
      config: { openapi: { bodyExamples: bodyExamples(FilterBody, filterExamples) } },
      schema: {
        operationId: 'filterJournals',
        tags,
        summary: 'Recordings matching a filter, newest first',
        description: 'A POST so that long filters fit; it reads only.',
        body: FilterBody,
        response: {
          200: json('A page of the matching recordings', JournalPage),
          ...errorResponses(422),
        },
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
        description:
          'To play it: unwrap `journal_key` with the data key, decrypt `title` with it, then ' +
          'download GET /v1/journals/{id}/audio and decrypt by `encryption` ' +
          '(docs/encryption.md). The check-ins made before and after recording come with it, ' +
          'and the shift between them. A recording in the trash is a 404.',
        params: IdParams,
        response: {
          200: json('The recording', JournalDetail, { examples: journalDetailExamples }),
          ...errorResponses(404),
        },
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
      config: { openapi: { requestHeaders: ['Range', 'If-None-Match'] } },
      schema: {
        operationId: 'getJournalAudio',
        tags,
        summary:
          'The encrypted audio (Range and If-None-Match supported; IV and algorithm in headers)',
        description:
          'The ciphertext as uploaded. Decrypt it on the device (docs/encryption.md): unwrap ' +
          'the journal key (`journal_key` of the journal) with the data key, then decrypt with ' +
          'the algorithm and IV of X-Encryption-Algorithm and X-Encryption-IV. Segmented ' +
          'recordings can be played while they download, and seeking asks for the segments ' +
          'needed with Range (segment i starts at byte i × 65552). The ETag is the ' +
          'checksum: a cached copy revalidates with If-None-Match.',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: {
          200: binary('The whole ciphertext', 'application/octet-stream', {
            ...audioHeaders,
            'Content-Length': ResponseHeaders.ContentLength,
          }),
          206: binary('The bytes of the Range asked for', 'application/octet-stream', {
            ...audioHeaders,
            'Content-Range': ResponseHeaders.ContentRange,
            'Content-Length': ResponseHeaders.ContentLength,
          }),
          304: notModifiedWith(audioHeaders),
          ...errorResponses(404, 416, 503),
        },
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
      // A stream read by the handler, like the upload's (see above).
      config: {
        openapi: {
          requestBody: recordingBody(
            ReencryptionMetadata,
            'multipart/form-data with two parts, in this order: `metadata` (JSON) and `audio` ' +
              '(the new ciphertext).',
            reencryptionExamples,
          ),
        },
      },
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
        params: IdParams,
        response: {
          200: json('The recording with its new ciphertext', JournalDetail),
          ...errorResponses(404, 409, 413, 415, 422, 503),
        },
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
        response: {
          200: json('A page of recordings with a plaintext title', JournalPage),
          ...errorResponses(),
        },
      },
    },
    (request) => titles.plaintext(callerOf(request), request.query),
  );

  app.put(
    '/:id/title',
    {
      config: { openapi: { bodyExamples: bodyExamples(TitleBody, titleExamples) } },
      schema: {
        operationId: 'replaceJournalTitle',
        tags,
        summary: "Replace a journal's title with an envelope made on the device (or remove it)",
        description:
          "The envelope is made under the journal's key (the data key for a journal without " +
          'one), bound to its id and the field `title` (docs/encryption.md); null removes it.',
        params: IdParams,
        body: TitleBody,
        response: {
          200: json('The recording', Journal, { examples: journalExamples }),
          ...errorResponses(404),
        },
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
        response: { 200: json('It is a favorite', FavoriteResult), ...errorResponses(404) },
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
        response: { 200: json('It is not a favorite', FavoriteResult), ...errorResponses(404) },
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
        response: {
          200: json('How many recordings were deleted', DeletedCount),
          ...errorResponses(401),
        },
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
        description:
          'The recording goes to the trash: gone from lists at once, restorable with POST ' +
          '/v1/journals/{id}/restore until restorable_until (JOURNAL_RETENTION_DAYS, 30 by ' +
          'default), then purged with its audio. Its share links stop opening.',
        params: IdParams,
        response: {
          200: json('In the trash, restorable until restorable_until', DeletedResult, {
            examples: deletedExamples,
          }),
          ...errorResponses(404),
        },
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
        description: 'After restorable_until the recording is purged: 404.',
        params: IdParams,
        response: { 200: json('The recording, restored', JournalDetail), ...errorResponses(404) },
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
        description:
          'The zip holds the ciphertext and its metadata (journal key envelope included): it ' +
          'decrypts only with the data key. The link works without a token until expires_at ' +
          '(EXPORT_LINK_TTL_SECONDS, 15 minutes by default).',
        params: IdParams,
        response: {
          200: json('The download link', ExportLink, { examples: exportLinkExamples }),
          ...errorResponses(404, 503),
        },
      },
    },
    (request) => service.exportJournal(callerOf(request), request.params.id),
  );
};
