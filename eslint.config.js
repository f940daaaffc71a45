// Lint: typescript-eslint with type information. Promises must be handled, switches over
// unions must be exhaustive, and only src/config.ts reads process.env.
//
// The architecture's boundaries are rules here, not prose (docs/architecture.md):
//  - a module reaches another only through that module's index.ts;
//  - only repositories (and tables) import tables and the query builder;
//  - platform/ never imports a module;
//  - no import cycles anywhere.
// test/platform/boundaries.test.ts proves each rule catches a violation.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * Another module's files, as seen from a file `depth` folders below src/modules/<name>/
 * (0 = the module's own folder): anything but its index.ts. Relative paths only: one more
 * `../` than the depth leaves the module.
 */
const otherModulesInternals = (depth) => ({
  regex: `^(\\.\\./){${depth + 1}}(?!platform/|modules/)[^./][^/]*/(?!index\\.ts$).+`,
  message:
    'Another module is reached only through its index.ts (its service, ports and types): docs/architecture.md',
});

/**
 * The query builder and tables, outside repositories and tables.ts. Types may be named
 * (a row type in a service's signature); values may not.
 */
const queryBuilder = {
  regex: '^drizzle-orm(/.*)?$|(^|/)tables\\.ts$',
  allowTypeImports: true,
  message:
    'Only repositories (and tables.ts) use the query builder and tables: move the SQL into a repository',
};

const REPOSITORIES = ['**/repository.ts', '**/*.repository.ts', '**/tables.ts'];

/**
 * Files of a module `depth` folders below its root and the rules for their imports:
 * repositories and tables may use the query builder, the rest may not.
 */
const moduleBoundaries = (depth) => {
  const files = [`src/modules/*/${'*/'.repeat(depth)}*.ts`];
  const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
  return [
    { files, ignores: REPOSITORIES, rules: rule([otherModulesInternals(depth), queryBuilder]) },
    {
      files: REPOSITORIES.map((glob) => files[0].replace('*.ts', glob.replace('**/', ''))),
      rules: rule([otherModulesInternals(depth)]),
    },
  ];
};

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'coverage', 'migrations', 'sdk/dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Fastify plugins and interface implementations are async by contract.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config.ts' },
      ],
    },
  },
  ...moduleBoundaries(0),
  ...moduleBoundaries(1),
  ...moduleBoundaries(2),
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)modules/',
              message:
                'platform/ is infrastructure: it never imports a module (pass what it needs in)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests pass environments to child processes and read TEST_* settings.
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The share page's script runs in browsers, not in Node.
    files: ['content/share-page/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'atob', 'URL', 'Blob', 'TextEncoder', 'TextDecoder'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
);
