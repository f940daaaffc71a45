// The examples of the OpenAPI document: every one valid against its own schema, checked
// with Ajv and the API's own formats (encrypted-text and key-envelope included, which
// Redocly cannot check), every request body and the main responses shown by example, and
// no example carrying a person's words in plaintext where the app encrypts them. The
// document is the same for both databases: checked once, in the pglite project.
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKeyEnvelope, isTextEnvelope } from '../../src/platform/crypto/envelopes.ts';
import { addApiFormats } from '../../src/platform/http/validation.ts';
import { databaseKind } from '../helpers/database.ts';
import {
  buildApiDocument,
  operationsOf,
  requestBodyOf,
  responseOf,
  type OpenApiDocument,
} from '../helpers/openapi.ts';

/** The document's id in Ajv: its schemas are compiled where they are, by JSON pointer. */
const DOCUMENT = 'https://amirawellness.test/openapi.json';
const pointer = (...tokens: string[]) =>
  tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

interface ExampleAt {
  where: string;
  /** JSON pointer of the schema the example belongs to. */
  schema: string;
  name: string;
  value: unknown;
  /** The operation's tags (none for shared components). */
  tags: string[];
}

interface MediaLike {
  example?: unknown;
  examples?: Record<string, { value?: unknown } | { $ref: string }>;
}

function examplesOf(media: MediaLike, where: string, schema: string, tags: string[]): ExampleAt[] {
  const found: ExampleAt[] = [];
  if (media.example !== undefined)
    found.push({ where, schema, name: 'example', value: media.example, tags });
  for (const [name, example] of Object.entries(media.examples ?? {})) {
    if ('$ref' in example) throw new Error(`${where}: examples are written in place`);
    found.push({ where, schema, name, value: example.value, tags });
  }
  return found;
}

/** Every example of the document, with the schema it must match. */
function allExamples(doc: OpenApiDocument): ExampleAt[] {
  const found: ExampleAt[] = [];
  for (const { path, method, operation } of operationsOf(doc)) {
    const tags = operation.tags ?? [];
    const at = (...tokens: string[]) => pointer('paths', path, method, ...tokens);
    const body = requestBodyOf(operation);
    for (const [type, media] of Object.entries(body?.content ?? {}))
      found.push(
        ...examplesOf(
          media,
          `${operation.operationId} body`,
          at('requestBody', 'content', type, 'schema'),
          tags,
        ),
      );
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      if ('$ref' in response) continue; // shared: checked once, below
      for (const [type, media] of Object.entries(response.content ?? {}))
        found.push(
          ...examplesOf(
            media,
            `${operation.operationId} ${status}`,
            at('responses', status, 'content', type, 'schema'),
            tags,
          ),
        );
    }
  }
  for (const [name, response] of Object.entries(doc.components?.responses ?? {})) {
    if ('$ref' in response) continue;
    for (const [type, media] of Object.entries(response.content ?? {}))
      found.push(
        ...examplesOf(
          media,
          `response ${name}`,
          pointer('components', 'responses', name, 'content', type, 'schema'),
          [],
        ),
      );
  }
  for (const [name, parameter] of Object.entries(doc.components?.parameters ?? {})) {
    if ('$ref' in parameter) continue;
    found.push(
      ...examplesOf(
        parameter,
        `parameter ${name}`,
        pointer('components', 'parameters', name, 'schema'),
        [],
      ),
    );
  }
  return found;
}

/** Fields where a person's own words or keys live, end-to-end encrypted (docs/encryption.md). */
const ENCRYPTED_FIELDS = ['notes', 'title', 'journal_key', 'key_envelope'];
/** A share's label too (elsewhere `label` names other things: a trend's direction). */
const encryptedFieldsOf = (where: string) =>
  new Set(/share/i.test(where) ? [...ENCRYPTED_FIELDS, 'label'] : ENCRYPTED_FIELDS);

/** Every string under an encrypted field name, with where it is. */
function encryptedValues(value: unknown, fields: Set<string>, path = ''): [string, string][] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => encryptedValues(item, fields, `${path}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    fields.has(key) && typeof item === 'string'
      ? [[`${path}/${key}`, item] as [string, string]]
      : encryptedValues(item, fields, `${path}/${key}`),
  );
}

describe.runIf(databaseKind() === 'pglite')('the examples of the OpenAPI document', () => {
  let doc: OpenApiDocument;
  let examples: ExampleAt[];
  let ajv: Ajv;
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (schema: string) => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT}#${schema}` });
      validators.set(schema, validate);
    }
    return validate;
  };

  beforeAll(async () => {
    doc = await buildApiDocument();
    examples = allExamples(doc);
    // As the server validates: Ajv, not strict about OpenAPI's own keywords, with the
    // API's formats; the document is one schema resource, its schemas reached by pointer.
    ajv = addApiFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    ajv.addSchema(doc, DOCUMENT);
  });

  it('has many, and each matches its schema', () => {
    expect(examples.length).toBeGreaterThan(100);
    const failures = examples.flatMap((example) => {
      const validate = validatorOf(example.schema);
      return validate(example.value)
        ? []
        : [`${example.where} (${example.name}): ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
  });

  it('shows every request body by example', () => {
    const without = operationsOf(doc).flatMap(({ operation }) => {
      const body = requestBodyOf(operation);
      if (!body) return [];
      return Object.entries(body.content)
        .filter(([, media]) => !media.examples && media.example === undefined)
        .map(([type]) => `${operation.operationId} ${type}`);
    });
    expect(without).toEqual([]);
  });

  it('shows the main responses by example, in Spanish and in English', () => {
    const main: [string, string][] = [
      ['createCheckin', '201'],
      ['getCheckin', '200'],
      ['listCheckins', '200'],
      ['uploadJournal', '201'],
      ['getJournal', '200'],
      ['listJournals', '200'],
      ['getTool', '200'],
      ['listToolCategories', '200'],
      ['getDashboard', '200'],
      ['register', '201'],
      ['login', '200'],
      ['completeMfaLogin', '200'],
      ['refreshTokens', '200'],
      ['getProfile', '200'],
    ];
    const byId = new Map(operationsOf(doc).map((o) => [o.operation.operationId, o.operation]));
    for (const [operationId, status] of main) {
      const declared = byId.get(operationId)?.responses?.[status];
      expect(declared, `${operationId} ${status}`).toBeDefined();
      const media = responseOf(doc, declared!).content?.['application/json'];
      expect(Object.keys(media?.examples ?? {}).length, `${operationId} ${status}`).toBeGreaterThan(
        0,
      );
    }
    // Lucía (es) and Emma (en) both appear where the language shows.
    for (const operationId of ['getCheckin', 'getTool', 'getDashboard', 'getProfile']) {
      const media = responseOf(doc, byId.get(operationId)!.responses!['200']!).content![
        'application/json'
      ]!;
      expect(Object.keys(media.examples ?? {}), operationId).toEqual(
        expect.arrayContaining(['lucia', 'emma']),
      );
    }
    // And every problem response shows a problem document.
    for (const [name, response] of Object.entries(doc.components?.responses ?? {})) {
      const media = responseOf(doc, response).content?.['application/problem+json'];
      expect(Object.keys(media?.examples ?? {}).length, name).toBe(1);
    }
  });

  it("never shows a person's words in plaintext where the app encrypts them", () => {
    const private_ = examples.filter((e) =>
      e.tags.some((t) => ['journals', 'emotions'].includes(t)),
    );
    expect(private_.length).toBeGreaterThan(20);
    const plaintext = private_.flatMap((example) =>
      encryptedValues(example.value, encryptedFieldsOf(example.where))
        .filter(([, value]) => !isTextEnvelope(value) && !isKeyEnvelope(value))
        .map(([path]) => `${example.where} (${example.name}) ${path}`),
    );
    expect(plaintext).toEqual([]);
  });
});
