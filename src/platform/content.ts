// Reads the content files (content/): the catalogs and texts written for users, kept as
// data so that they can be reviewed and edited without touching code. Each file is
// validated against its schema when read: bad content stops the seed, not a request.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';

export const CONTENT_DIR = fileURLToPath(new URL('../../content/', import.meta.url));

export class ContentError extends Error {
  override name = 'ContentError';
}

export function checkContent<S extends TSchema>(
  schema: S,
  value: unknown,
  where: string,
): Static<S> {
  if (!Value.Check(schema, value)) {
    const problems = [...Value.Errors(schema, value)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ContentError(`${where}: ${problems.join('; ')}`);
  }
  return value;
}

export async function readContent<S extends TSchema>(
  schema: S,
  relativePath: string,
): Promise<Static<S>> {
  const file = path.join(CONTENT_DIR, relativePath);
  const value: unknown = JSON.parse(await readFile(file, 'utf8'));
  return checkContent(schema, value, relativePath);
}

/** Every JSON file of a content folder but the ones excluded, in name order. */
export async function contentFiles(folder: string, exclude: string[] = []): Promise<string[]> {
  const names = await readdir(path.join(CONTENT_DIR, folder));
  return names
    .filter((name) => name.endsWith('.json') && !exclude.includes(name))
    .sort()
    .map((name) => path.join(folder, name));
}

/** Puts values into a text's `{name}` placeholders (unknown ones stay as written). */
export const fillTemplate = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (match, key: string) => values[key] ?? match);
