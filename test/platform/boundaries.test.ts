// The architecture's boundaries are lint rules (eslint.config.js); this proves each rule
// catches a violation and lets the allowed shape through, by linting a small project laid
// out like ours with our own configuration.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/database.ts';

const BOUNDARY_RULES = new Set(['no-restricted-imports', 'import-x/no-cycle']);

const files: Record<string, string> = {
  'src/platform/db/database.ts': 'export const db = 1;\n',
  'src/platform/leaky.ts': "export { users } from '../modules/auth/tables.ts';\n",
  'src/modules/auth/index.ts': "export { createAuth } from './service.ts';\n",
  'src/modules/auth/tables.ts':
    "import { pgTable } from 'drizzle-orm/pg-core';\nexport const users = pgTable('users', {});\n",
  'src/modules/auth/repository.ts':
    "import { eq } from 'drizzle-orm';\nimport { users } from './tables.ts';\nexport const find = () => [eq, users];\n",
  'src/modules/auth/service.ts':
    "import { find } from './repository.ts';\nimport type { users } from './tables.ts';\nexport type Row = typeof users;\nexport const createAuth = () => find;\n",
  'src/modules/auth/sessions/service.ts':
    "import { createAuth } from '../service.ts';\nimport { db } from '../../../platform/db/database.ts';\nexport const s = [createAuth, db];\n",
  'src/modules/journals/service.ts':
    "import { createAuth } from '../auth/index.ts';\nexport const j = createAuth;\n",
  'src/modules/journals/deep.ts':
    "import { find } from '../auth/repository.ts';\nexport const d = find;\n",
  'src/modules/journals/upload/deeper.ts':
    "import { users } from '../../auth/tables.ts';\nexport const e = users;\n",
  'src/modules/journals/sql-in-service.ts':
    "import { sql } from 'drizzle-orm';\nexport const q = sql`select 1`;\n",
  'src/modules/journals/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
  'src/modules/journals/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
};

let dir: string;
let results: Map<string, string[]>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'amira-boundaries-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: path.resolve('eslint.config.js'),
    // The boundary rules need no type information; the fixture is not a TypeScript project.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
  });
  const linted = await eslint.lintFiles(['src/**/*.ts']);
  results = new Map(
    linted.map((r) => [
      path.relative(dir, r.filePath),
      r.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`),
    ]),
  );
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const problems = (file: string) => results.get(file) ?? [];

describe('architecture boundaries (lint)', () => {
  it('lets the allowed shapes through', () => {
    for (const file of [
      'src/modules/auth/index.ts',
      'src/modules/auth/tables.ts',
      'src/modules/auth/repository.ts',
      'src/modules/auth/service.ts',
      'src/modules/auth/sessions/service.ts',
      'src/modules/journals/service.ts',
      'src/platform/db/database.ts',
    ])
      expect(problems(file), file).toEqual([]);
  });

  it("refuses a deep import of another module's files, at any depth", () => {
    expect(problems('src/modules/journals/deep.ts')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*only through its index\.ts/),
    ]);
    expect(problems('src/modules/journals/upload/deeper.ts').join('\n')).toMatch(
      /only through its index\.ts/,
    );
  });

  it('keeps the query builder in repositories', () => {
    expect(problems('src/modules/journals/sql-in-service.ts')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*Only repositories/),
    ]);
  });

  it('keeps modules out of platform/', () => {
    expect(problems('src/platform/leaky.ts')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*never imports a module/),
    ]);
  });

  it('refuses an import cycle', () => {
    expect(problems('src/modules/journals/a.ts')).toEqual([
      expect.stringMatching(/^import-x\/no-cycle/),
    ]);
    expect(problems('src/modules/journals/b.ts')).toEqual([
      expect.stringMatching(/^import-x\/no-cycle/),
    ]);
  });

  // The rules hold on the code itself: a suite run (CI) fails on a deep import or a cycle
  // even where nobody ran `npm run lint`.
  it.runIf(databaseKind() === 'pglite')(
    'finds no boundary violation and no import cycle in src/',
    async () => {
      const eslint = new ESLint({
        overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
        ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
      });
      const linted = await eslint.lintFiles(['src/**/*.ts']);
      const found = linted.flatMap((r) =>
        r.messages.map(
          (m) => `${path.relative('.', r.filePath)}: ${m.ruleId ?? 'parse'}: ${m.message}`,
        ),
      );
      expect(found).toEqual([]);
      expect(linted.length).toBeGreaterThan(150);
    },
    120_000,
  );
});
