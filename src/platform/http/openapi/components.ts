// Shared shapes as named OpenAPI components. A TypeBox schema given an `$id` is a
// component: registered once, as a Fastify shared schema (which feeds the serializer and
// @fastify/swagger's components.schemas) and in the request validator, and referenced by
// `$ref` wherever a route or another component embeds it. Route code keeps embedding the
// TypeBox schemas themselves, so that handlers stay typed; the references are made here,
// when a route is added. Without that, a schema embedded twice under one `$id` would be a
// compile error in Ajv ("resolves to more than one schema"), and every route would carry
// its own inline copy in the document.
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifySchema } from 'fastify';

/** A JSON schema with a name: what `Type.Object(…, { $id: 'Journal' })` makes. */
export interface NamedSchema {
  $id: string;
}

export interface Components {
  /** The components as registered: each embedded component replaced by a reference. */
  readonly schemas: readonly NamedSchema[];
  /** A copy of a route's schema whose embedded components are references. */
  referenceIn(schema: FastifySchema): FastifySchema;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const nameOf = (value: Record<string, unknown>): string | undefined =>
  typeof value.$id === 'string' ? value.$id : undefined;

export function collectComponents(schemas: readonly object[]): Components {
  const byName = new Map<string, object>();
  for (const schema of schemas) {
    const name = nameOf(schema as Record<string, unknown>);
    if (!name) throw new Error('a component schema needs an $id (its name in the document)');
    const known = byName.get(name);
    if (known && !isDeepStrictEqual(known, schema))
      throw new Error(`two different component schemas are named ${name}`);
    byName.set(name, schema);
  }

  // Copies are memoized by source object, so that a schema shared by several routes stays
  // one object (the validator caches its compiled bodies by schema identity).
  const copies = new WeakMap<object, unknown>();
  const reference = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reference);
    if (!isObject(value)) return value;
    const name = nameOf(value);
    if (name !== undefined) {
      const registered = byName.get(name);
      // TypeBox's Optional() copies the schema it wraps: equal content is the same component.
      if (!registered || !isDeepStrictEqual(registered, { ...value })) {
        throw new Error(
          `the schema ${name} has an $id but is not a registered component (or differs from it): ` +
            "list it in its module's components",
        );
      }
      return { $ref: `${name}#` };
    }
    const cached = copies.get(value);
    if (cached) return cached;
    const copy = copyWith(value, reference);
    copies.set(value, copy);
    return copy;
  };

  const registered = [...byName.values()].map(
    (schema) => copyWith(schema as Record<string, unknown>, reference) as unknown as NamedSchema,
  );

  return {
    schemas: registered,
    referenceIn(schema) {
      const copy: FastifySchema = { ...schema };
      for (const part of ['body', 'querystring', 'params', 'headers'] as const)
        if (schema[part] !== undefined) copy[part] = reference(schema[part]);
      if (isObject(schema.response)) {
        copy.response = Object.fromEntries(
          Object.entries(schema.response).map(([status, response]) => [
            status,
            referenceInResponse(response, reference),
          ]),
        );
      }
      return copy;
    },
  };
}

function copyWith(
  value: Record<string, unknown>,
  reference: (value: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reference(item)]));
}

/** A response is a schema, or `{ description, headers, content: { type: { schema, … } } }`. */
function referenceInResponse(response: unknown, reference: (value: unknown) => unknown): unknown {
  if (!isObject(response) || !isObject(response.content)) return reference(response);
  const content = Object.fromEntries(
    Object.entries(response.content).map(([mediaType, media]) => [
      mediaType,
      isObject(media) ? { ...media, schema: reference(media.schema) } : media,
    ]),
  );
  return { ...response, content };
}

/**
 * Registers the components and makes every route added afterwards reference them. Call it
 * before any route (and give `components.schemas` to the request validator).
 */
export function registerComponents(app: FastifyInstance, components: Components): void {
  for (const schema of components.schemas) app.addSchema(schema);
  app.addHook('onRoute', (route) => {
    if (route.schema) route.schema = components.referenceIn(route.schema);
  });
}
