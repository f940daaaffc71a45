// HTTP routes of /v1/journals. The upload is multipart/form-data: a `metadata` part (JSON)
// first, then the `audio` part, streamed straight through to storage.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { callerOf } from '../../platform/auth/guard.ts';
import { AppError, badRequest, type FieldError } from '../../platform/errors.ts';
import {
  Binary,
  DeletedCount,
  errorResponses,
  IdParams,
  PageQuery,
} from '../../platform/http/schemas.ts';
import { requestMeta } from '../../platform/http/request-meta.ts';
import { registerDownloadRoute } from '../../platform/http/download-route.ts';
import { jsonTextTooDeep, jsonValueTooDeep, nestedTooDeep } from '../../platform/http/json-body.ts';
import { findNul } from '../../platform/http/nul-guard.ts';
import { idempotencyOf } from '../../platform/idempotency/idempotency.ts';
import type { ByteRange } from '../../platform/storage/storage.ts';
import type { JournalsService } from './service.ts';
import {
  DeletedResult,
  ExportLink,
  FavoriteResult,
  FilterBody,
  JournalDetail,
  JournalPage,
  UploadBody,
  UploadMetadata,
} from './schemas.ts';

const tags = ['journals'];
const METADATA_LIMIT = 16 * 1024;

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

function metadataErrors(value: unknown): FieldError[] {
  return [...Value.Errors(UploadMetadata, value)].slice(0, 20).map((e) => ({
    pointer: `#/body/metadata${e.instancePath}`,
    message: e.message,
  }));
}

export const journalsRoutes: FastifyPluginAsyncTypebox<{
  service: JournalsService;
  maxUploadBytes: number;
}> = async (app, { service, maxUploadBytes }) => {
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
      // The body is a stream read by the handler; its parts are validated there.
      validatorCompiler: ({ httpPart }) => (httpPart === 'body' ? () => true : () => true),
      schema: {
        tags,
        summary:
          'Upload an encrypted recording (multipart: metadata, then audio); Idempotency-Key honoured',
        consumes: ['multipart/form-data'],
        body: UploadBody,
        response: { 201: JournalDetail, ...errorResponses(409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', {
          detail: 'Send multipart/form-data with a metadata part and an audio part',
        });
      }
      const caller = callerOf(request);
      const parts = request.parts();
      const first = await nextPart(parts, '#/body/metadata');
      if (first.done || first.value.fieldname !== 'metadata') {
        // A metadata part typed application/json that is not JSON is skipped by the parser,
        // which reports it only at the end of the body: read on to say so.
        if (!first.done && first.value.type === 'file') {
          first.value.file.resume();
          await nextPart(parts, '#/body/metadata');
        }
        throw badRequest('The first part must be the metadata field (JSON)', [
          { pointer: '#/body/metadata', message: 'is required first' },
        ]);
      }
      const metadata = await metadataOf(first.value);
      const errors = metadataErrors(metadata);
      if (errors.length)
        throw badRequest(errors.map((e) => `${e.pointer} ${e.message}`).join('; '), errors);
      const second = await nextPart(parts, '#/body/audio');
      if (second.done || second.value.type !== 'file' || second.value.fieldname !== 'audio') {
        throw badRequest('The second part must be the audio file', [
          { pointer: '#/body/audio', message: 'is required' },
        ]);
      }
      const valid = metadata as UploadMetadata;
      const result = await service.create(
        caller,
        valid,
        second.value.file,
        idempotencyOf(request, valid),
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
    tags,
    summary: 'Download an export bundle through its signed, time-limited link',
    open: (token) => service.openExport(token),
  });

  app.get(
    '/:id',
    {
      schema: {
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
      schema: {
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
    '/:id/favorite',
    {
      schema: {
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
        tags,
        summary:
          'Delete a recording (hidden at once; restorable during the retention window, then purged)',
        params: IdParams,
        response: { 200: DeletedResult, ...errorResponses(404) },
      },
    },
    (request) => service.remove(callerOf(request), request.params.id),
  );

  app.post(
    '/:id/restore',
    {
      schema: {
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
        tags,
        summary: 'A signed, time-limited link to a bundle (metadata JSON and ciphertext)',
        params: IdParams,
        response: { 200: ExportLink, ...errorResponses(404, 503) },
      },
    },
    (request) => service.exportJournal(callerOf(request), request.params.id),
  );
};

const invalidMetadata = (message: string, detail: string) =>
  badRequest(`The metadata part ${detail}`, [{ pointer: '#/body/metadata', message }]);

/**
 * The metadata part's JSON, however the client sent it: a plain field (a string), a field
 * typed application/json (which @fastify/multipart has parsed already), or a file part
 * (OkHttp's `createFormData("metadata", "metadata.json", body)`, Alamofire with a
 * fileName), read within the same 16 KB. Each gets the checks a JSON body gets: nesting
 * depth before parsing, then NUL characters.
 */
async function metadataOf(part: Multipart): Promise<unknown> {
  let metadata: unknown;
  if (part.type === 'field' && typeof part.value !== 'string') {
    if (jsonValueTooDeep(part.value)) throw nestedTooDeep('#/body/metadata');
    metadata = part.value;
  } else {
    const text =
      part.type === 'file'
        ? await readUpTo(part, METADATA_LIMIT)
        : part.valueTruncated
          ? undefined
          : String(part.value);
    if (text === undefined)
      throw invalidMetadata(`must be at most ${METADATA_LIMIT} bytes`, 'is too large');
    if (jsonTextTooDeep(text)) throw nestedTooDeep('#/body/metadata');
    try {
      metadata = JSON.parse(text);
    } catch {
      throw invalidMetadata('invalid JSON', 'is not valid JSON');
    }
  }
  const nul = findNul(metadata, '#/body/metadata');
  if (nul)
    throw badRequest(`${nul} must not contain the NUL character`, [
      { pointer: nul, message: 'must not contain the NUL character' },
    ]);
  return metadata;
}

/** A file part's text, or undefined past `limit` bytes (the rest of it is discarded). */
async function readUpTo(part: MultipartFile, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Not destroyed on the early return: the parser must still read past the rest of it.
  const content = part.file.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
  for await (const chunk of content) {
    size += chunk.length;
    if (size > limit) {
      part.file.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The next part of a multipart body. A body that is not valid multipart (no boundary line,
 * cut short) makes the parser throw a plain Error; that is the client's fault, so it becomes a
 * 400, as does a part typed application/json that is not JSON (406 from the parser). Errors
 * that already carry a 4xx status (a part too large: 413) pass through.
 */
async function nextPart<T>(parts: AsyncIterator<T>, pointer: string): Promise<IteratorResult<T>> {
  try {
    return await parts.next();
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if ((error as { code?: unknown }).code === 'FST_INVALID_JSON_FIELD_ERROR')
      throw badRequest(`${pointer} is typed application/json but is not valid JSON`, [
        { pointer, message: 'invalid JSON' },
      ]);
    if (error instanceof AppError || (typeof status === 'number' && status < 500)) throw error;
    throw badRequest('The body is not valid multipart/form-data', [
      { pointer: '#/body', message: 'malformed multipart body' },
    ]);
  }
}
