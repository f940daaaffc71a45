// The SDK types every problem a server sends (errors.ts, ProblemCode): this reads the
// server's source for every code it can put in a problem `type` and fails when the SDK's
// list misses one. No database: the pglite project only.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '../../sdk/src/index.ts';
import { databaseKind } from '../helpers/database.ts';

// How the server names a problem's code: AppError's constructor, the helpers that build
// one, the journals' reject(), error tables (`code: '…'`) and the share page's GONE table.
const PATTERNS = [
  /new AppError\(\s*\d+,\s*'([a-z0-9-]+)'/g,
  /\b(?:conflict|unprocessable|unauthorized)\(\s*'([a-z0-9-]+)'/g,
  /\breject\(\s*\d+,\s*'([a-z0-9-]+)'/g,
  /\bcode: '([a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+)'/g,
  /\[\s*'([a-z]+-[a-z-]+)',\s*'[A-Z]/g,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe.runIf(databaseKind() === 'pglite')('problem codes', () => {
  it('the SDK knows every code the server can send', () => {
    const found = new Set<string>();
    // Examples in the OpenAPI document name emotions and achievements by code: not problems.
    for (const file of sources('src').filter((name) => !/examples/.test(name)))
      for (const pattern of PATTERNS)
        for (const match of readFileSync(file, 'utf8').matchAll(pattern)) found.add(match[1]!);
    expect(found.size).toBeGreaterThan(60);
    const known = new Set<string>(PROBLEM_CODES);
    expect([...found].filter((code) => !known.has(code))).toEqual([]);
  });
});
