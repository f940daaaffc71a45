// The HTTP headers of the API, as the OpenAPI document names them. Request headers that
// handlers read themselves (not validated by a route schema, so that their error documents
// stay the handlers' own) are reusable parameters; response headers that the platform sets
// on every response are reusable headers; the rest are declared by the routes that send
// them, from the schemas below.
import type { OpenAPIV3_1 } from 'openapi-types';

/** A response header as a route declares it: a JSON schema with its description. */
export interface HeaderSchema {
  type: 'string' | 'integer';
  description: string;
  [keyword: string]: unknown;
}

/** Response headers that some routes send (keys: the header names as documented). */
export const ResponseHeaders = {
  ETag: {
    type: 'string',
    description:
      'The version of this representation. Send it back as If-None-Match: while nothing ' +
      'changed the answer is a 304 without a body',
  },
  CacheControl: { type: 'string', description: 'How long a client or proxy may reuse it' },
  Location: { type: 'string', description: 'Where the new resource can be read' },
  IdempotentReplayed: {
    type: 'string',
    enum: ['true'],
    description:
      'Present when this is the stored answer to an earlier request with the same ' +
      'Idempotency-Key: nothing new was created',
  },
  AcceptRanges: {
    type: 'string',
    enum: ['bytes'],
    description: 'Byte ranges can be asked for with Range',
  },
  ContentRange: {
    type: 'string',
    description: 'The bytes sent and the full size, e.g. `bytes 0-65535/1048576`',
  },
  UnsatisfiedRange: {
    type: 'string',
    description: 'The full size of the ciphertext, e.g. `bytes */1048576`',
  },
  ContentLength: { type: 'integer', description: 'Bytes in this response' },
  ContentDisposition: {
    type: 'string',
    description: 'attachment, with the file name to save it under',
  },
  EncryptionAlgorithm: {
    type: 'string',
    enum: ['AES-256-GCM-STREAM', 'AES-256-GCM'],
    description: 'How the recording was encrypted on the device (docs/encryption.md)',
  },
  EncryptionIv: {
    type: 'string',
    description:
      'base64: the nonce prefix of the segments (AES-256-GCM-STREAM) or the IV of the whole ' +
      'file (AES-256-GCM), needed to decrypt (docs/encryption.md)',
  },
  ChecksumSha256: {
    type: 'string',
    pattern: '^[0-9a-f]{64}$',
    description: 'hex SHA-256 of the ciphertext: check it before decrypting',
  },
  RetryAfter: {
    type: 'integer',
    minimum: 0,
    description: 'Seconds to wait before trying again',
  },
} as const satisfies Record<string, HeaderSchema>;

/** Request headers that handlers read themselves, by the name routes use to declare them. */
export const requestHeaderParameters = {
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'A key the client makes for this create (a random UUID), sent again unchanged when it ' +
      'retries. The same key with the same body within 24 hours answers the first response ' +
      '(with Idempotent-Replayed: true) and creates nothing new; the same key with another ' +
      'body is a 422 idempotency-key-reused. Keys are per user.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    example: '5f0c4a4e-1d7b-4f7e-9a55-0b8e2f0d6c11',
  },
  'If-None-Match': {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'The ETag of the copy the client holds: a 304 without a body while it is current',
    schema: { type: 'string' },
    example: '"3f2a9c1e"',
  },
  Range: {
    name: 'Range',
    in: 'header',
    required: false,
    description:
      'One byte range of the ciphertext (`bytes=a-b`, `bytes=a-` or `bytes=-n`): a 206 with ' +
      'those bytes. Other forms (several ranges) are ignored: the whole file is sent.',
    schema: { type: 'string', pattern: '^bytes=\\d*-\\d*$' },
    example: 'bytes=0-65535',
  },
} as const satisfies Record<string, OpenAPIV3_1.ParameterObject>;

export type RequestHeaderName = keyof typeof requestHeaderParameters;

/** Component names of the request header parameters (no punctuation in a component name). */
export const parameterComponentName = (name: RequestHeaderName): string => name.replace(/-/g, '');

/** Headers the platform sends on responses of every operation (platform/http/gateway.ts, app.ts). */
export const platformResponseHeaders = {
  'X-Request-Id': {
    description:
      'The id of this request (the one the client sent in X-Request-Id, if valid, or a new ' +
      'one): quote it when reporting a problem; problem documents carry it as request_id',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed in the current window (per client address, and per user)',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window resets',
    schema: { type: 'integer' },
  },
  'RateLimit-Policy': {
    description: 'The budget as `limit;w=window-seconds`, e.g. `300;w=60`',
    schema: { type: 'string' },
  },
} as const satisfies Record<string, OpenAPIV3_1.HeaderObject>;
