// fast-check arbitraries from the JSON Schemas of the app's OpenAPI document: values that
// match a schema, and values that break it in the ways clients and attackers do (wrong
// types, missing and extra fields, boundary and huge numbers, very long strings, NUL
// bytes, lone surrogates, deep nesting). No maintained library turns JSON Schema 2020-12
// into fast-check arbitraries, so this covers the subset our TypeBox schemas use, and
// fails loudly on anything else so the harness never silently fuzzes less than it claims.
import fc, { type Arbitrary } from 'fast-check';

export type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minProperties?: number;
  maxProperties?: number;
  $ref?: string;
  [keyword: string]: unknown;
};

const isoDate = fc
  .date({
    min: new Date('1990-01-01T00:00:00Z'),
    max: new Date('2035-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

function stringOf(schema: Schema): Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date-time':
      return isoDate;
    case 'date':
      return isoDate.map((s) => s.slice(0, 10));
    case 'time':
      return fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
    case 'uri':
      return fc.webUrl();
    // What the SDK encrypts: version byte 1, then IV, ciphertext and tag (random here).
    case 'encrypted-text':
      return fc
        .uint8Array({ minLength: 28, maxLength: 200 })
        .map((rest) => Buffer.from([1, ...rest]).toString('base64'));
    case 'key-envelope':
      return fc
        .uint8Array({ minLength: 60, maxLength: 60 })
        .map((rest) => Buffer.from([1, ...rest]).toString('base64'));
    case undefined:
      break;
    default:
      throw new Error(`schema-arbitraries: unsupported string format ${schema.format}`);
  }
  if (schema.pattern) {
    const min = schema.minLength ?? 0;
    const max = Math.min(schema.maxLength ?? 200, 200);
    // `^[class]+$` and `^[class]{a,b}$`: strings of that class within both length bounds.
    const simple = /^\^\[([^\]]+)\](\+|\*|\{(\d+),(\d+)\})\$$/.exec(schema.pattern);
    if (simple) {
      const low = Math.max(min, simple[3] ? Number(simple[3]) : simple[2] === '+' ? 1 : 0);
      const high = Math.min(max, simple[4] ? Number(simple[4]) : max);
      return fc.string({
        unit: fc.stringMatching(new RegExp(`^[${simple[1]}]$`)),
        minLength: low,
        maxLength: Math.max(low, high),
      });
    }
    // Anything else: strings of the pattern, stretched or cut to the length bounds (which can
    // break the pattern: such a value is then refused, which the checks allow).
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .map((text) => (text.length >= min ? text.slice(0, max) : text.padEnd(min, text || 'a')));
  }
  return fc.string({
    unit: 'grapheme',
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 200),
  });
}

/** Values that match the schema (as far as the schema alone can say). */
export function valid(schema: Schema): Arbitrary<unknown> {
  if (schema.$ref) throw new Error(`schema-arbitraries: unresolved $ref ${schema.$ref}`);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(valid));
  if (schema.allOf) return valid(mergeAll(schema.allOf));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  return fc.oneof(...types.map((type) => validOfType(schema, type)));
}

function validOfType(schema: Schema, type: string): Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -1_000_000,
        max: schema.maximum ?? 1_000_000,
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'string':
      return stringOf(schema);
    case 'array': {
      const constraints = {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 20),
      };
      const items = valid(schema.items ?? {});
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(items, constraints);
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valid(s)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in properties) },
      );
      const min = schema.minProperties ?? 0;
      return record.filter((value) => Object.keys(value).length >= min);
    }
    default:
      throw new Error(`schema-arbitraries: unsupported type ${type}`);
  }
}

function mergeAll(schemas: Schema[]): Schema {
  return schemas.reduce<Schema>(
    (merged, s) => ({
      ...merged,
      ...s,
      properties: { ...merged.properties, ...s.properties },
      required: [...(merged.required ?? []), ...(s.required ?? [])],
    }),
    {},
  );
}

/** Values of the wrong shape: a JSON value of another kind, or a hostile scalar. */
export const hostileValue: Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    'x'.repeat(100_000),
    '../../etc/passwd',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '1e309',
    'NaN',
    -1,
    0,
    2 ** 31,
    2 ** 53 + 1,
    -(2 ** 63),
    1e308,
    1.5,
    true,
    null,
    [],
    {},
    { $gt: '' },
  ),
);

/** Objects that break an object schema: a field of the wrong type, a missing required one, an unknown one. */
export function invalidObject(schema: Schema): Arbitrary<unknown> {
  const properties = Object.keys(schema.properties ?? {});
  const required = (schema.required ?? []).filter((k) => properties.includes(k));
  const base = valid(schema) as Arbitrary<Record<string, unknown>>;
  const strategies: Arbitrary<unknown>[] = [
    hostileValue,
    base.chain((value) =>
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => !properties.includes(k) && k !== '__proto__')
        .chain((k) => hostileValue.map((v) => ({ ...value, [k]: v }))),
    ),
  ];
  if (properties.length > 0)
    strategies.push(
      base.chain((value) =>
        fc
          .constantFrom(...properties)
          .chain((k) => hostileValue.map((v) => ({ ...value, [k]: v }))),
      ),
    );
  if (required.length > 0)
    strategies.push(
      base.chain((value) =>
        fc.constantFrom(...required).map((k) => {
          const copy = { ...value };
          delete copy[k];
          return copy;
        }),
      ),
    );
  return fc.oneof(...strategies);
}

/**
 * JSON text of arrays or objects nested `depth` levels: at the API's depth limit, one past
 * it, and thousands past it (still far under the body size limit).
 */
export function nestedJson(limit: number): Arbitrary<{ payload: string; depth: number }> {
  return fc
    .record({
      depth: fc.constantFrom(limit, limit + 1, 2000, 8000),
      arrays: fc.boolean(),
    })
    .map(({ depth, arrays }) => ({
      depth,
      payload: arrays
        ? '['.repeat(depth) + ']'.repeat(depth)
        : '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth),
    }));
}
