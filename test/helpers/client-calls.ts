// A call of every operation of the API document, as TypeScript source for clients generated
// from it: the required path and query parameters, the documented request headers and the
// body of the operation's first example (a multipart body with a Blob for each binary part).
// The compiler then proves that each generated client can build every request the document
// describes, with the values the document itself shows.
import type { OpenAPIV3_1 } from 'openapi-types';
import {
  operationsOf,
  requestBodyOf,
  type DocumentedOperation,
  type OpenApiDocument,
} from './openapi.ts';

type Schema = OpenAPIV3_1.SchemaObject;

export interface OperationCall {
  operationId: string;
  method: DocumentedOperation['method'];
  path: string;
  /** The path with its parameters filled in. */
  url: string;
  secured: boolean;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body?:
    | { kind: 'json'; value: unknown }
    | { kind: 'multipart'; fields: Record<string, unknown>; files: string[] };
}

/** A value of a parameter's schema (parameters are scalars in this API). */
function sampleOf(schema: Schema): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
  if (schema.type === 'boolean') return true;
  if (schema.format === 'uuid') return '743eabaa-917e-41d2-8143-04dafde8d597';
  if (schema.format === 'email') return 'lucia.hernandez@example.com';
  if (schema.format === 'date') return '2026-03-09';
  return 'x'.repeat(Math.max(10, schema.minLength ?? 1));
}

function parameter(
  document: OpenApiDocument,
  declared: OpenAPIV3_1.ParameterObject | OpenAPIV3_1.ReferenceObject,
): OpenAPIV3_1.ParameterObject {
  if (!('$ref' in declared)) return declared;
  const found = document.components?.parameters?.[declared.$ref.split('/').pop()!];
  if (!found || '$ref' in found) throw new Error(`unknown parameter ${declared.$ref}`);
  return found;
}

function firstExample(media: OpenAPIV3_1.MediaTypeObject, where: string): unknown {
  const [first] = Object.values(media.examples ?? {});
  if (first && !('$ref' in first)) return first.value;
  if (media.example !== undefined) return media.example;
  throw new Error(`${where}: a request body without an example`);
}

const isBinary = (schema: OpenAPIV3_1.SchemaObject | OpenAPIV3_1.ReferenceObject | undefined) =>
  !!schema && !('$ref' in schema) && schema.format === 'binary';

export function operationCalls(document: OpenApiDocument): OperationCall[] {
  return operationsOf(document).map(({ path, method, operation }) => {
    const where = `${method.toUpperCase()} ${path}`;
    if (!operation.operationId) throw new Error(`${where}: no operationId`);
    const parameters = (operation.parameters ?? []).map((p) => parameter(document, p));
    const valueOf = (p: OpenAPIV3_1.ParameterObject) =>
      p.example ?? sampleOf((p.schema ?? {}) as Schema);
    const pick = (location: string, requiredOnly: boolean) =>
      Object.fromEntries(
        parameters
          .filter((p) => p.in === location && (!requiredOnly || p.required))
          .map((p) => [p.name, valueOf(p)]),
      );
    const pathParams = pick('path', true);
    const call: OperationCall = {
      operationId: operation.operationId,
      method,
      path,
      url: path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        encodeURIComponent(String(pathParams[name])),
      ),
      secured: (operation.security ?? document.security ?? []).length > 0,
      pathParams,
      query: pick('query', true),
      headers: pick('header', false),
    };
    const body = requestBodyOf(operation);
    const json = body?.content['application/json'];
    const multipart = body?.content['multipart/form-data'];
    if (json) call.body = { kind: 'json', value: firstExample(json, where) };
    else if (multipart) {
      const schema = multipart.schema as Schema;
      const example = firstExample(multipart, where) as Record<string, unknown>;
      const files = Object.keys(schema.properties ?? {}).filter((name) =>
        isBinary(schema.properties?.[name]),
      );
      const fields = Object.fromEntries(
        Object.entries(example).filter(([name]) => !files.includes(name)),
      );
      call.body = { kind: 'multipart', fields, files };
    } else if (body) throw new Error(`${where}: a body of another type`);
    return call;
  });
}

const literal = (value: unknown) => JSON.stringify(value, null, 2);
const BLOB = "new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'application/octet-stream' })";

function multipartLiteral(fields: Record<string, unknown>, files: string[]): string {
  const entries = [
    ...Object.entries(fields).map(([name, value]) => `${literal(name)}: ${literal(value)}`),
    ...files.map((name) => `${literal(name)}: ${BLOB}`),
  ];
  return `{ ${entries.join(', ')} }`;
}

function bodyLiteral(call: OperationCall): string | undefined {
  if (!call.body) return undefined;
  return call.body.kind === 'json'
    ? literal(call.body.value)
    : multipartLiteral(call.body.fields, call.body.files);
}

const nonEmpty = (values: Record<string, unknown>) => Object.keys(values).length > 0;

/**
 * A module for @hey-api/openapi-ts's fetch client (its sdk.gen.ts next to it, under
 * `heyApi`): `buildEveryRequest(fetch)` calls every operation once through `fetch`.
 */
export function heyApiCallsSource(calls: OperationCall[], heyApi: string): string {
  const lines = calls.map((call) => {
    const parts = ['...options'];
    if (nonEmpty(call.pathParams)) parts.push(`path: ${literal(call.pathParams)}`);
    if (nonEmpty(call.query)) parts.push(`query: ${literal(call.query)}`);
    if (nonEmpty(call.headers)) parts.push(`headers: ${literal(call.headers)}`);
    const body = bodyLiteral(call);
    if (body) parts.push(`body: ${body}`);
    return `  await sdk.${call.operationId}({ ${parts.join(', ')} });`;
  });
  return [
    '// Generated by test/helpers/client-calls.ts: every operation, called once.',
    `import * as sdk from './${heyApi}/sdk.gen.ts';`,
    '',
    'export async function buildEveryRequest(fetch: typeof globalThis.fetch): Promise<number> {',
    "  const options = { baseUrl: 'https://api.amirawellness.test', fetch, auth: 'access-token' };",
    ...lines,
    `  return ${calls.length};`,
    '}',
    '',
  ].join('\n');
}

/**
 * A module for openapi-fetch over openapi-typescript's `paths` (in `types`): every
 * operation's request, typed by the path and method alone.
 */
export function openapiFetchCallsSource(calls: OperationCall[], types: string): string {
  const lines = calls.map((call) => {
    const params: string[] = [];
    if (nonEmpty(call.pathParams)) params.push(`path: ${literal(call.pathParams)}`);
    if (nonEmpty(call.query)) params.push(`query: ${literal(call.query)}`);
    if (nonEmpty(call.headers)) params.push(`header: ${literal(call.headers)}`);
    const init: string[] = [];
    if (params.length > 0) init.push(`params: { ${params.join(', ')} }`);
    const body = bodyLiteral(call);
    if (body) init.push(`body: ${body}`);
    if (call.body?.kind === 'multipart') init.push('bodySerializer: formData');
    const args = [literal(call.path), ...(init.length > 0 ? [`{ ${init.join(', ')} }`] : [])];
    return `    client.${call.method.toUpperCase()}(${args.join(', ')}),`;
  });
  return [
    '// Generated by test/helpers/client-calls.ts: every operation, as a request.',
    "import createClient from 'openapi-fetch';",
    `import type { paths } from './${types}';`,
    '',
    '/** Parts in the order given: the metadata (JSON) first, then the audio. */',
    'function formData(body: Record<string, unknown>): FormData {',
    '  const form = new FormData();',
    '  for (const [name, value] of Object.entries(body))',
    '    form.append(name, value instanceof Blob ? value : JSON.stringify(value));',
    '  return form;',
    '}',
    '',
    'export function everyRequest() {',
    "  const client = createClient<paths>({ baseUrl: 'https://api.amirawellness.test' });",
    '  return [',
    ...lines,
    '  ];',
    '}',
    '',
  ].join('\n');
}
