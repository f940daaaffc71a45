// Reading an upload's multipart body (POST /v1/journals, PUT /v1/journals/{id}/audio), the HTTP side of the upload: the
// `metadata` part however mobile clients send it, checked like a JSON body and against its
// schema, then the `audio` part, handed on as a stream. Malformed bodies are 400s.
import type { Readable } from 'node:stream';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError, badRequest, type FieldError } from '../../../platform/errors.ts';
import {
  jsonTextTooDeep,
  jsonValueTooDeep,
  nestedTooDeep,
} from '../../../platform/http/json-body.ts';
import { findNul } from '../../../platform/http/nul-guard.ts';
import { UploadMetadata } from '../schemas.ts';

export const METADATA_LIMIT = 16 * 1024;

function metadataErrors(schema: TSchema, value: unknown): FieldError[] {
  return [...Value.Errors(schema, value)].slice(0, 20).map((e) => ({
    pointer: `#/body/metadata${e.instancePath}`,
    message: e.message,
  }));
}

/** The metadata (valid by its schema) and the audio stream, in that order; 400 otherwise. */
export async function readUploadParts<S extends TSchema = typeof UploadMetadata>(
  parts: AsyncIterator<Multipart>,
  schema: S = UploadMetadata as TSchema as S,
): Promise<{ metadata: Static<S>; audio: Readable }> {
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
  const errors = metadataErrors(schema, metadata);
  if (errors.length)
    throw badRequest(errors.map((e) => `${e.pointer} ${e.message}`).join('; '), errors);
  const second = await nextPart(parts, '#/body/audio');
  if (second.done || second.value.type !== 'file' || second.value.fieldname !== 'audio') {
    throw badRequest('The second part must be the audio file', [
      { pointer: '#/body/audio', message: 'is required' },
    ]);
  }
  return { metadata: metadata as Static<S>, audio: second.value.file };
}

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
