// Schema-driven fuzzing of every operation in the app's own OpenAPI document. For each
// operation, requests that match its schemas and many that do not (see
// support/schema-arbitraries.ts, plus malformed JSON, wrong content types, huge bodies,
// hostile path ids, unknown query parameters and JSON nested at and past the depth limit).
// Checked on every response:
//  - never a 5xx;
//  - a path id that fails its schema names nothing: 404 (or 405 with Allow), never a 400
//    about the path; JSON nested past the limit is a 400 about the body, before any schema;
//  - every error is a problem document matching the declared ProblemDocument schema, with
//    the response's own status;
//  - every JSON success matches the response schema declared for its status;
//  - a rejected request stored nothing (row counts of every table are unchanged; the
//    security-event audit trail excepted, which records refused sign-ins on purpose).
// FUZZ_RUNS (default 12 on PostgreSQL, 6 on PGlite: what is fuzzed is the HTTP layer, the
// same on both, and PGlite's single-threaded engine makes each run's row counting several
// times dearer) sets the runs per operation and kind; `npm run test:fuzz` runs
// the long profile. A failure prints fast-check's seed and path: replay it with
// FUZZ_SEED=<seed> FUZZ_PATH=<path> on the same operation.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { sql } from 'drizzle-orm';
import fc, { type Arbitrary } from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { rows } from '../helpers/db.ts';
import { uploadRecording } from '../helpers/journals.ts';
import { promoteToAdmin, registerUser } from '../helpers/users.ts';
import { MAX_JSON_DEPTH } from '../../src/platform/http/json-body.ts';
import {
  hostileValue,
  invalidObject,
  nestedJson,
  valid,
  type Schema,
} from './support/schema-arbitraries.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? (databaseKind() === 'pglite' ? 6 : 12));
const replay = process.env.FUZZ_SEED
  ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH }
  : {};

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const t = await createTestApp();
afterAll(() => t.close());

const doc = t.app.swagger() as unknown as OpenApi;
const inline = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$ref' in v) {
      const name = String((v as { $ref: string }).$ref).replace('#/components/schemas/', '');
      return inline(doc.components.schemas[name]);
    }
    return v;
  }) as T;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validateProblem = ajv.compile(inline(doc.components.schemas.ProblemDocument!));
/** Path parameters as the server checks them: strings from the URL, coerced to the schema. */
const coercing = new Ajv({ strict: false, coerceTypes: 'array' });
addFormats.default(coercing);

// A user with something of everything, and an administrator for the admin routes.
const user = await registerUser(t);
const sensitiveUser = await registerUser(t);
const admin = await promoteToAdmin(t, await registerUser(t));
const checkin = await t.request('POST', '/v1/emotions', {
  token: user.accessToken,
  body: { emotion_type_id: 4, intensity: 6, context: 'standalone' },
});
const { journal } = await uploadRecording(t, user.accessToken);
const knownIds = [checkin.body.id as string, journal.id as string];

/** Every table's rows, as one number per table: what a rejected request must not change. */
const tables = (
  await rows<{ name: string }>(
    t,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
          and c.relname <> 'security_events' order by 1`,
  )
).map((r) => r.name);
async function fingerprint(): Promise<Record<string, number>> {
  const counts = sql.join(
    tables.map(
      (name) => sql`(select count(*)::int from ${sql.identifier(name)}) as ${sql.identifier(name)}`,
    ),
    sql`, `,
  );
  const [row] = await rows<Record<string, number>>(t, sql`select ${counts}`);
  return row!;
}

interface FuzzRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: { payload: string; contentType: string; tooDeep?: boolean };
  /** The path ids are hostile: if they fail the path schema, the path names nothing. */
  hostilePath?: boolean;
}

function encodeSegment(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate: send its (invalid) UTF-8 bytes, as a hostile client would.
    return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%\w-]/g, '_');
  }
}

function urlOf(path: string, request: FuzzRequest): string {
  const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(request.params[name]));
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query))
    if (value !== undefined)
      query.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  const text = query.toString();
  return text ? `${url}?${text}` : url;
}

const objectOf = (parameters: Parameter[]): Schema => ({
  type: 'object',
  properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
  required: parameters.filter((p) => p.required).map((p) => p.name),
});

function arbitraries(operation: Operation) {
  const parameters = operation.parameters ?? [];
  const pathSchema = objectOf(parameters.filter((p) => p.in === 'path'));
  const querySchema = objectOf(parameters.filter((p) => p.in === 'query'));
  // Bodies may name shared shapes (components.schemas): fuzzed with them resolved.
  const declaredBody = operation.requestBody?.content['application/json']?.schema;
  const jsonBody = declaredBody && inline(declaredBody);
  const hasOtherBody = !!operation.requestBody && !jsonBody;

  const validParams = (valid(pathSchema) as Arbitrary<Record<string, unknown>>).chain((params) =>
    fc.constantFrom(...knownIds).map((id) =>
      // Often an id the user owns, so that the happy paths run, not only 404s.
      Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, k === 'id' && typeof v === 'string' ? id : v]),
      ),
    ),
  );
  const params = fc.oneof(validParams, valid(pathSchema)) as Arbitrary<Record<string, unknown>>;
  const query = valid(querySchema) as Arbitrary<Record<string, unknown>>;
  const json = (value: unknown) => ({
    payload: JSON.stringify(value) ?? 'null',
    contentType: 'application/json',
  });
  const body = jsonBody ? valid(jsonBody).map(json) : fc.constant(undefined);

  const validRequest: Arbitrary<FuzzRequest> = fc.record({ params, query, body });

  const strategies: Arbitrary<FuzzRequest>[] = [
    // A hostile path id, or one of the wrong shape.
    fc.record({
      hostilePath: fc.constant(true),
      params: fc.record(
        Object.fromEntries(
          parameters
            .filter((p) => p.in === 'path')
            // Not '', '.' or '..': the URL would then name another route (or none) by design.
            .map((p) => [
              p.name,
              hostileValue.filter((v) => !['', '.', '..'].includes(encodeSegment(v))),
            ]),
        ),
      ),
      query,
      body,
    }),
    // Unknown query parameters, or known ones with hostile values.
    fc.record({
      params,
      query: fc.oneof(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), hostileValue, { maxKeys: 3 }),
        query.chain((q) => hostileValue.map((v) => ({ ...q, [Object.keys(q)[0] ?? 'limit']: v }))),
      ),
      body,
    }),
  ];
  if (jsonBody || hasOtherBody) {
    const broken = fc.oneof(
      jsonBody ? invalidObject(jsonBody).map(json) : hostileValue.map(json),
      // Not JSON at all, though it says so.
      fc
        .oneof(fc.string(), fc.constantFrom('{', '{"a":', '[1,2', '{"a":1}}', '\u0000', 'nul'))
        .map((payload) => ({
          payload,
          contentType: 'application/json',
        })),
      // Valid JSON under a content type the route does not take.
      (jsonBody ? valid(jsonBody) : fc.constant({})).chain((value) =>
        fc
          .constantFrom(
            'text/plain',
            'application/xml',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
          )
          .map((contentType) => ({ payload: JSON.stringify(value), contentType })),
      ),
      // Far over the JSON body limit.
      fc.constant({
        payload: JSON.stringify({ padding: 'x'.repeat(200_000) }),
        contentType: 'application/json',
      }),
      // Nested arrays and objects: at the depth limit (then up to the schema), just past it
      // and thousands of levels past it (within the body limit): refused before parsing.
      nestedJson(MAX_JSON_DEPTH).map(({ payload, depth }) => ({
        payload,
        contentType: 'application/json',
        tooDeep: depth > MAX_JSON_DEPTH,
      })),
    );
    strategies.push(fc.record({ params: validParams, query, body: broken }));
  }
  return { validRequest, invalidRequest: fc.oneof(...strategies) };
}

const pathValidators = new Map<Operation, ValidateFunction>();
/**
 * Whether the server could take these path ids: each decodes (a URL that is not valid UTF-8
 * is a 400 bad-url of its own), fits the router's 200 characters and passes the path schema.
 */
function pathParamsAccepted(operation: Operation, params: Record<string, unknown>): boolean {
  const parameters = (operation.parameters ?? []).filter((p) => p.in === 'path');
  if (parameters.length === 0) return true;
  if (!pathValidators.has(operation))
    pathValidators.set(operation, coercing.compile(inline(objectOf(parameters))));
  const values: Record<string, string> = {};
  for (const { name } of parameters) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(encodeSegment(params[name]));
    } catch {
      return true; // not a question of the path naming something
    }
    if (decoded.length > 200) return false;
    values[name] = decoded;
  }
  return pathValidators.get(operation)!(values) === true;
}

function responseValidator(operation: Operation, status: number): ValidateFunction | undefined {
  const declared = operation.responses[String(status)] ?? operation.responses.default;
  const schema = declared?.content?.['application/json']?.schema;
  return schema ? ajv.compile(inline(schema)) : undefined;
}

const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    method: method.toUpperCase(),
    path,
    operation,
  })),
);

describe('schema-driven fuzzing', () => {
  it('covers the whole API', () => {
    expect(operations.length).toBeGreaterThan(70);
  });

  describe.each(operations)('$method $path', ({ method, path, operation }) => {
    const route = t.routes.find(
      (r) => r.method === method && r.url === path.replace(/\{(\w+)\}/g, ':$1'),
    );
    const { validRequest, invalidRequest } = arbitraries(operation);
    const validators = new Map<number, ValidateFunction | undefined>();

    async function send(request: FuzzRequest) {
      // The user's session, renewed often: the fuzzer may log itself out or revoke sessions.
      const token = route?.public
        ? undefined
        : route?.scope
          ? admin.accessToken
          : await freshToken(route?.stepUp === true);
      const before = await fingerprint();
      const url = urlOf(path, request);
      const response = await t.request(method, url, {
        token,
        ip: `198.51.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
        ...(request.body
          ? { body: request.body.payload, headers: { 'content-type': request.body.contentType } }
          : {}),
      });
      if (response.status === 401 && token === session?.token) session = undefined;
      if (response.status === 401 && token === sensitiveSession?.token)
        sensitiveSession = undefined;
      const where = `${method} ${url} → ${response.status} ${response.raw.slice(0, 300)}`;
      expect(response.status, where).toBeLessThan(500);
      // A path id is never refused as malformed: the path names nothing (404, or 405 with
      // Allow where other methods have it).
      const errors = (response.body?.errors ?? []) as { pointer: string }[];
      expect(
        errors.filter((e) => e.pointer.startsWith('#/params')),
        where,
      ).toEqual([]);
      if (response.status === 405) expect(response.headers.allow, where).toBeTruthy();
      // (Past the router's 200 characters a path segment is a 414 URI Too Long.)
      if (request.hostilePath && !pathParamsAccepted(operation, request.params))
        expect([404, 405, 414], where).toContain(response.status);
      if (request.body?.tooDeep) {
        expect(response.status, where).toBe(400);
        expect(errors, where).toEqual([
          { pointer: '#/body', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
        ]);
      }
      const contentType = String(response.headers['content-type'] ?? '');
      if (response.status >= 400) {
        expect(contentType, where).toContain('application/problem+json');
        expect(
          validateProblem(response.body),
          `${where}\n${ajv.errorsText(validateProblem.errors)}`,
        ).toBe(true);
        expect(response.body.status, where).toBe(response.status);
        expect(await fingerprint(), `${where}: a rejected request stored something`).toEqual(
          before,
        );
      } else {
        if (contentType.includes('application/json') && response.raw.length > 0) {
          if (!validators.has(response.status))
            validators.set(response.status, responseValidator(operation, response.status));
          const validate = validators.get(response.status);
          if (validate)
            expect(validate(response.body), `${where}\n${ajv.errorsText(validate.errors)}`).toBe(
              true,
            );
        }
      }
    }

    it('answers requests that match its schemas as it declares', async () => {
      await fc.assert(
        fc.asyncProperty(validRequest, (request) => send(request)),
        { numRuns: RUNS, ...replay },
      );
    });

    it('refuses requests that do not with a problem document, storing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(invalidRequest, (request) => send(request)),
        { numRuns: RUNS * 2, ...replay },
      );
    });
  });
});

type Session = { token: string; uses: number };
let session: Session | undefined;
let sensitiveSession: Session | undefined;
/**
 * An access token, renewed by a login after a few uses or once it was refused. Step-up
 * routes use a user of their own whose session re-authenticated, so the fuzzer reaches past
 * the guard (the main user's password budget is spent by fuzzed password checks). The
 * login restores that account in case a fuzzed DELETE /v1/users/me scheduled its deletion.
 */
async function freshToken(stepUp: boolean): Promise<string> {
  const current = stepUp ? sensitiveSession : session;
  if (current && current.uses++ < 5) return current.token;
  const who = stepUp ? sensitiveUser : user;
  const response = await t.request('POST', '/v1/auth/login', {
    body: { email: who.email, password: who.password, restore_account: true },
  });
  if (response.status !== 200) throw new Error(`fuzz login failed: ${response.raw}`);
  const fresh = { token: response.body.access_token as string, uses: 0 };
  if (stepUp) {
    const proof = await t.request('POST', '/v1/auth/reauthenticate', {
      token: fresh.token,
      body: { password: who.password },
    });
    if (proof.status !== 200) throw new Error(`fuzz step-up failed: ${proof.raw}`);
    sensitiveSession = fresh;
  } else session = fresh;
  return fresh.token;
}
