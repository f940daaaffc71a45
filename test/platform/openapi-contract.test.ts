// The OpenAPI document as a product for client developers: Redocly's recommended rules
// pass (redocly.yaml names the rules turned off, and why), and clients generated from it
// build every request it describes. Two generators: openapi-typescript (what sdk/ uses),
// with openapi-fetch on top, and @hey-api/openapi-ts's fetch client. A module calling
// every operation with the document's own examples (test/helpers/client-calls.ts) is
// type-checked against both; the hey-api one is also run, against a fetch that keeps each
// request, to show what goes over the wire (the multipart upload included). The document
// is the same for both databases: checked once, in the pglite project.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@hey-api/openapi-ts';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/database.ts';
import {
  heyApiCallsSource,
  openapiFetchCallsSource,
  operationCalls,
  type OperationCall,
} from '../helpers/client-calls.ts';
import { buildApiDocument, operationsOf, type OpenApiDocument } from '../helpers/openapi.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (...parts: string[]) => path.join(ROOT, 'node_modules', ...parts);
/** What a command printed, whether it succeeded or not (a failing lint or tsc exits 1). */
const printed = (error: unknown) => ({
  stdout: (error as { stdout?: string }).stdout ?? (error instanceof Error ? error.message : ''),
});

describe.runIf(databaseKind() === 'pglite')('the OpenAPI document as a contract', () => {
  let doc: OpenApiDocument;
  let dir: string;
  let file: string;
  let calls: OperationCall[];

  beforeAll(async () => {
    doc = await buildApiDocument();
    calls = operationCalls(doc);
    // Outside the project: Node strips types only outside node_modules, and nothing here
    // may end up in the repository.
    dir = await mkdtemp(path.join(os.tmpdir(), 'amira-openapi-contract-'));
    file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes Redocly lint with no error and no warning', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        bin('@redocly', 'cli', 'bin', 'cli.js'),
        'lint',
        file,
        '--config',
        path.join(ROOT, 'redocly.yaml'),
        '--format',
        'json',
      ],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch(printed);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map(
      (p) => `${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`,
    );
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('describes every response and no operation without a description', () => {
    const vague = operationsOf(doc).flatMap(({ operation }) =>
      Object.entries(operation.responses ?? {})
        .filter(
          ([, r]) => !('$ref' in r) && (!r.description || r.description === 'Default Response'),
        )
        .map(([status]) => `${operation.operationId} ${status}`),
    );
    expect(vague).toEqual([]);
    for (const response of Object.values(doc.components?.responses ?? {}))
      expect('description' in response && response.description).toBeTruthy();
  });

  it('generates clients with two generators that build every request, the upload included', async () => {
    // 1. openapi-typescript, as `npm run sdk:types` runs it, with binary parts as Blob (its
    //    documented recipe for file uploads) for openapi-fetch to send them.
    const blob = ts.factory.createTypeReferenceNode('Blob');
    const types = await openapiTS(doc as never, {
      silent: true,
      transform: (schema) => (schema.format === 'binary' ? blob : undefined),
    });
    await writeFile(path.join(dir, 'openapi-typescript.ts'), astToString(types));
    // 2. @hey-api/openapi-ts: types, an SDK function per operation and its fetch client.
    await createClient({
      input: file,
      output: { path: path.join(dir, 'hey-api'), importFileExtension: '.ts' },
      plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
      logs: { level: 'silent' },
    });
    await writeFile(path.join(dir, 'hey-api-calls.ts'), heyApiCallsSource(calls, 'hey-api'));
    await writeFile(
      path.join(dir, 'openapi-fetch-calls.ts'),
      openapiFetchCallsSource(calls, 'openapi-typescript.ts'),
    );
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2024',
          lib: ['es2024', 'DOM', 'DOM.Iterable'],
          module: 'preserve',
          moduleResolution: 'bundler',
          allowImportingTsExtensions: true,
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          paths: { 'openapi-fetch': [bin('openapi-fetch')] },
        },
        include: ['*.ts', 'hey-api/**/*.ts'],
      }),
    );

    // Both call modules compile: every operation, with its parameters and example body.
    const tsc = await run(process.execPath, [bin('typescript', 'bin', 'tsc'), '-p', dir], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch(printed);
    expect(tsc.stdout).toBe('');

    // And the hey-api client sends them: one request per operation, as documented.
    const sent: Request[] = [];
    const keep = async (request: Request) => {
      sent.push(request);
      return new Response(null, { status: 204 });
    };
    const generated = (await import(path.join(dir, 'hey-api-calls.ts'))) as {
      buildEveryRequest(fetch: typeof globalThis.fetch): Promise<number>;
    };
    expect(await generated.buildEveryRequest(keep as typeof globalThis.fetch)).toBe(calls.length);
    expect(sent).toHaveLength(calls.length);
    expect(calls.length).toBe(operationsOf(doc).length);
    for (const [i, call] of calls.entries()) {
      const request = sent[i]!;
      const where = call.operationId;
      expect(`${request.method} ${new URL(request.url).pathname}`, where).toBe(
        `${call.method.toUpperCase()} ${call.url}`,
      );
      expect(request.headers.get('authorization'), where).toBe(
        call.secured ? 'Bearer access-token' : null,
      );
      for (const [name, value] of Object.entries(call.headers))
        expect(request.headers.get(name), `${where} ${name}`).toBe(String(value));
      if (call.body?.kind === 'json') {
        expect(request.headers.get('content-type'), where).toContain('application/json');
        expect(await request.json(), where).toEqual(call.body.value);
      }
      if (call.body?.kind === 'multipart') {
        // The parts in the order the server reads them: the metadata (JSON), then the audio.
        expect(request.headers.get('content-type'), where).toMatch(
          /^multipart\/form-data; boundary=/,
        );
        const form = await request.formData();
        expect([...form.keys()], where).toEqual([
          ...Object.keys(call.body.fields),
          ...call.body.files,
        ]);
        for (const [name, value] of Object.entries(call.body.fields)) {
          const part = form.get(name);
          expect(typeof part, `${where} ${name}`).toBe('string');
          expect(JSON.parse(part as string), `${where} ${name}`).toEqual(value);
        }
        for (const name of call.body.files)
          expect(form.get(name), `${where} ${name}`).toBeInstanceOf(Blob);
      }
    }
    expect(calls.filter((c) => c.body?.kind === 'multipart').map((c) => c.operationId)).toEqual([
      'uploadJournal',
      'replaceJournalAudio',
    ]);
  });
});
