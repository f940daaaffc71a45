// The API's OpenAPI 3.1 document, built by @fastify/swagger from the route schemas and
// finished here in one place: what a route documents only (operation-docs.ts), the headers
// the platform sends on every response, and the notes every paginated or idempotent
// operation shares. What it describes is what the routes do; nothing here changes how a
// request is handled.
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { OpenAPIV3_1 } from 'openapi-types';
import { exemptFromBudgets } from '../gateway.ts';
import { MAX_JSON_DEPTH } from '../json-body.ts';
import {
  parameterComponentName,
  platformResponseHeaders,
  requestHeaderParameters,
  type RequestHeaderName,
} from './headers.ts';
import type { OperationDocs } from './operation-docs.ts';

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const DESCRIPTION = [
  'Private emotional-wellness backend for the Amira Wellness apps (Spanish and English).',
  '',
  '**Authentication.** Sign in (POST /v1/auth/login) for an access token (JWT, a few minutes) ' +
    'and a refresh token; send `Authorization: Bearer <access_token>`. On a 401, refresh once ' +
    '(POST /v1/auth/refresh: each refresh token works once) and retry.',
  '',
  '**Errors** are RFC 9457 problem documents (`application/problem+json`): a stable `type` ' +
    'URI to branch on, `title`, `status`, `detail`, `request_id`, and for invalid input ' +
    '`errors[]` with the JSON pointer of each field. 400: the request does not match its ' +
    'schema; 422: it does, but a rule refuses it.',
  '',
  '**Requests.** Bodies are strict: unknown fields are a 400, JSON nested deeper than ' +
    `${MAX_JSON_DEPTH} levels too, and an empty body is no body. Unknown query parameters are ` +
    'ignored. Timestamps are RFC 3339 UTC; a "day" is the user\'s local day in their IANA ' +
    'time zone. JSON field names are snake_case.',
  '',
  '**Lists** use cursor pagination: `limit` (1 to 100, default 20) and `cursor`; the answer ' +
    'is `{ items, next_cursor }`, and `next_cursor` is null on the last page.',
  '',
  '**Retries.** Creates that accept an `Idempotency-Key` header can be retried safely on a ' +
    'bad network; offline check-ins sync in batches (POST /v1/emotions/batch).',
  '',
  '**Rate limits.** Every request counts against a budget per client address and, signed in, ' +
    'per user; responses announce it in `RateLimit-Limit`, `RateLimit-Remaining`, ' +
    '`RateLimit-Reset` and `RateLimit-Policy`. Past it the answer is a 429 with `Retry-After`. ' +
    'Sign-in attempts, codes and emails have smaller budgets of their own.',
  '',
  '**End-to-end encryption.** Journal audio, titles, check-in notes and share labels are ' +
    'encrypted on the device (AES-256-GCM under keys derived from the password with ' +
    'Argon2id: GET /v1/auth/key-params); the server stores ciphertext and checks only its ' +
    "shape. The protocol is in the backend's docs/encryption.md; the TypeScript SDK (sdk/) " +
    'implements it.',
  '',
  '**Caching.** Responses under /v1 that state no cache policy of their own are ' +
    '`Cache-Control: no-store`. The emotion catalog, tool categories and tools carry an ' +
    '`ETag`: send it as `If-None-Match` for a 304.',
  '',
  '**Paths.** A path that names nothing is a 404, or a 405 with `Allow` when it exists for ' +
    'other methods. A route that is being retired will announce it with `Deprecation` and ' +
    '`Sunset` headers before it goes (none is, today).',
].join('\n');

const TAGS: OpenAPIV3_1.TagObject[] = [
  { name: 'auth', description: 'Accounts, sign-in, tokens, sessions, two-step sign-in, keys' },
  { name: 'users', description: "The signed-in user's profile, devices, keys and data" },
  { name: 'emotions', description: 'Emotional check-ins and what they show over time' },
  { name: 'journals', description: 'End-to-end encrypted voice journals and their share links' },
  { name: 'tools', description: 'The library of wellness tools (Spanish and English)' },
  { name: 'progress', description: 'Streaks, achievements, statistics and the home screen' },
  { name: 'notifications', description: 'Reminders, affirmations and the in-app inbox' },
  { name: 'support', description: 'Crisis lines and emergency numbers, by country (public)' },
  { name: 'admin', description: 'Account administration (scope admin)' },
  { name: 'content management', description: 'Tool content (scope content:write)' },
  { name: 'operations', description: 'Health checks for load balancers and orchestrators' },
];

const headerRef = (name: string): OpenAPIV3_1.ReferenceObject => ({
  $ref: `#/components/headers/${name}`,
});
const parameterRef = (name: RequestHeaderName): OpenAPIV3_1.ReferenceObject => ({
  $ref: `#/components/parameters/${parameterComponentName(name)}`,
});

const RATE_LIMIT_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
] as const;

export interface ApiDocumentOptions {
  serverUrl: string;
}

/**
 * Registers @fastify/swagger for the API. Call before the routes: it collects what each
 * route documents beyond its schemas (`config.openapi`) as the route is added.
 */
export async function registerApiDocument(
  app: FastifyInstance,
  options: ApiDocumentOptions,
): Promise<void> {
  const extras = new Map<string, OperationDocs>();
  app.addHook('onRoute', (route) => {
    const operationId = route.schema?.operationId;
    const docs = route.config?.openapi;
    if (operationId && docs) extras.set(operationId, docs);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Amira Wellness API', version: '1.0.0', description: DESCRIPTION },
      servers: [{ url: options.serverUrl }],
      tags: TAGS,
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    // A schema's $id is its name under components.schemas (openapi/components.ts).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transformObject: (built) => {
      if (!('openapiObject' in built)) throw new Error('the API document is OpenAPI 3');
      return finishDocument(built.openapiObject as Document, extras);
    },
  });
}

/** Adds to the document what the route schemas cannot say (see the top of this file). */
export function finishDocument(
  document: Document,
  extras: ReadonlyMap<string, OperationDocs>,
): Document {
  document.components = {
    ...document.components,
    parameters: Object.fromEntries(
      Object.values(requestHeaderParameters).map((parameter) => [
        parameterComponentName(parameter.name),
        parameter,
      ]),
    ),
    headers: platformResponseHeaders,
  };
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const docs = operation.operationId ? extras.get(operation.operationId) : undefined;
      if (docs) applyOperationDocs(operation, docs);
      addPlatformHeaders(operation, !exemptFromBudgets(path));
      addSharedNotes(operation, docs);
    }
  }
  shareProblemResponses(document);
  return document;
}

/** Names of the shared problem responses (components.responses), by status. */
const PROBLEM_RESPONSE_NAMES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '410': 'Gone',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '416': 'RangeNotSatisfiable',
  '422': 'UnprocessableContent',
  '429': 'TooManyRequests',
  '500': 'InternalError',
  '503': 'ServiceUnavailable',
};

/**
 * Every route declares its errors with the same problem response per status
 * (platform/http/responses.ts): each becomes one component that operations reference,
 * instead of hundreds of copies. A response that differs stays where it is.
 */
function shareProblemResponses(document: Document): void {
  const shared: Record<string, OpenAPIV3_1.ResponseObject> = {};
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const responses = item?.[method]?.responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        const name = PROBLEM_RESPONSE_NAMES[status];
        if (!name || '$ref' in response || !response.content?.['application/problem+json'])
          continue;
        shared[name] ??= response;
        if (isDeepStrictEqual(shared[name], response))
          responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  document.components = { ...document.components, responses: shared };
}

function applyOperationDocs(operation: Operation, docs: OperationDocs): void {
  if (docs.requestHeaders) {
    operation.parameters = [
      ...(operation.parameters ?? []),
      ...docs.requestHeaders.map(parameterRef),
    ];
  }
  if (docs.requestBody) operation.requestBody = docs.requestBody;
  if (docs.bodyExamples) {
    const body = operation.requestBody;
    const media = body && !('$ref' in body) ? body.content['application/json'] : undefined;
    if (!media) throw new Error(`${operation.operationId}: body examples without a JSON body`);
    media.examples = docs.bodyExamples;
  }
}

/** X-Request-Id on every response; the RateLimit-* budget on the answers of budgeted routes. */
function addPlatformHeaders(operation: Operation, budgeted: boolean): void {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if ('$ref' in response) continue;
    const names = ['X-Request-Id', ...(budgeted && /^[23]/.test(status) ? RATE_LIMIT_HEADERS : [])];
    response.headers = {
      ...response.headers,
      ...Object.fromEntries(names.map((name) => [name, headerRef(name)])),
    };
  }
}

/** The paragraphs every paginated or idempotent operation would otherwise repeat. */
function addSharedNotes(operation: Operation, docs: OperationDocs | undefined): void {
  const notes: string[] = [];
  if (isPaginated(operation)) {
    notes.push(
      'Cursor pagination: ask for `limit` items (1 to 100, default 20); while `next_cursor` ' +
        'is not null, pass it as `cursor` (with the same other parameters) for the next page.',
    );
  }
  if (docs?.requestHeaders?.includes('Idempotency-Key')) {
    notes.push(
      'Idempotent with an `Idempotency-Key` header: a retry with the same key and body within ' +
        '24 hours answers the first response (`Idempotent-Replayed: true`) and creates nothing ' +
        'new.',
    );
  }
  if (notes.length === 0) return;
  operation.description = [operation.description, ...notes].filter(Boolean).join('\n\n');
}

function isPaginated(operation: Operation): boolean {
  const inQuery = (operation.parameters ?? []).some(
    (parameter) =>
      !('$ref' in parameter) && parameter.in === 'query' && parameter.name === 'cursor',
  );
  const body = operation.requestBody;
  const schema = body && !('$ref' in body) ? body.content['application/json']?.schema : undefined;
  const inBody = !!schema && !('$ref' in schema) && 'cursor' in (schema.properties ?? {});
  return inQuery || inBody;
}
