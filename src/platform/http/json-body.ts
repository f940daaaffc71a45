// JSON request bodies. Before anything recursive touches a body (the NUL guard, Ajv,
// services), its nesting is measured by an iterative scan of the raw text and refused
// beyond MAX_JSON_DEPTH with a 400: about 8,000 levels of `[[[[…]]]]` fit in 16 KB and
// overflowed the stack (a 500) on every JSON route. Parsing itself is Fastify's own parser
// (secure-json-parse: `__proto__` and `constructor.prototype` keys are refused). An empty
// body under a JSON content type means no body: OkHttp and URLSession send
// `Content-Type: application/json` on every request, a bodiless POST or DELETE included.
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { badRequest, type AppError } from '../errors.ts';

/**
 * The deepest nesting of arrays and objects the API takes. The deepest schema we accept is
 * six levels (an admin tool: body → translations → es → content → sections → section); 32
 * leaves room for any schema we may add without letting a body nest for nothing.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether the JSON text nests arrays and objects deeper than `max` (brackets in strings do not count). */
export function jsonTextTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** The same measure for a value something else already parsed (a multipart JSON field). */
export function jsonValueTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    if (depth > max) return true;
    for (const item of Object.values(next.value)) pending.push({ value: item, depth });
  }
  return false;
}

export const nestedTooDeep = (pointer: string): AppError =>
  badRequest(`${pointer} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, [
    { pointer, message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
  ]);

/** Any `+json` type (application/merge-patch+json, …), besides application/json itself. */
const STRUCTURED_JSON = /^application\/[a-z0-9!#$&^_.-]+\+json(?:;|$)/;

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<string> = (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    if (jsonTextTooDeep(body)) {
      done(nestedTooDeep('#/body'), undefined);
      return;
    }
    void parse(request, body, done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser(STRUCTURED_JSON, { parseAs: 'string' }, parser);
}
