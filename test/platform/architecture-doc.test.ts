// docs/architecture.md's table "Where each endpoint's rule lives" stays true: every
// operation of the API under /v1/ has exactly one row, no row names an operation that does
// not exist, and every rule file named exists, is not a routes.ts and exports something.
import { access, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';

const SECTION = "## Where each endpoint's rule lives";

interface Row {
  line: string;
  operations: string[];
  files: string[];
}

async function tableRows(): Promise<Row[]> {
  const doc = await readFile('docs/architecture.md', 'utf8');
  const start = doc.indexOf(SECTION);
  expect(start, `docs/architecture.md has no section "${SECTION}"`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + SECTION.length);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [endpoint = '', , rule = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      const parsed = /^((?:`[A-Z]+`(?:, )?)+) `(\/[^`]*)`$/.exec(endpoint);
      expect(parsed, `cannot read the endpoint cell of: ${line}`).not.toBeNull();
      const methods = [...(parsed?.[1] ?? '').matchAll(/`([A-Z]+)`/g)].map((m) => m[1]);
      return {
        line,
        operations: methods.map((method) => `${method} ${parsed?.[2]}`),
        files: [...rule.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
      };
    });
}

/** Independent of the database: runs in the pglite project only. */
const onceForBothDatabases = it.runIf(databaseKind() === 'pglite');

describe('docs/architecture.md: where each endpoint’s rule lives', () => {
  onceForBothDatabases('has one row per /v1 operation, and only real ones', async () => {
    const t = await createTestApp();
    const paths: Record<string, object> = await t
      .request('GET', '/openapi.json')
      .then((response) => response.body.paths)
      .finally(() => t.close());
    const served = Object.entries(paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.length).toBeGreaterThan(80);
    const documented = (await tableRows()).flatMap((row) => row.operations);
    const count = (op: string) => documented.filter((each) => each === op).length;
    const problems = [
      ...served.filter((op) => count(op) !== 1).map((op) => `${op}: in ${count(op)} rows`),
      ...documented.filter((op) => !served.includes(op)).map((op) => `${op}: not served`),
    ];
    expect(problems).toEqual([]);
  });

  onceForBothDatabases('names rule files that exist, are not routes and export', async () => {
    const problems: string[] = [];
    for (const { line, files } of await tableRows()) {
      if (files.length === 0 || files.length > 2) problems.push(`1 or 2 files needed: ${line}`);
      for (const file of files) {
        const full = `src/modules/${file}`;
        const text = await access(full).then(
          () => readFile(full, 'utf8'),
          () => undefined,
        );
        if (text === undefined) problems.push(`${file}: no such file`);
        else if (file.endsWith('routes.ts')) problems.push(`${file}: a routes file`);
        else if (!/^export /m.test(text)) problems.push(`${file}: exports nothing`);
      }
    }
    expect(problems).toEqual([]);
  });
});
