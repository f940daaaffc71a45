// The API as operators run it, for a benchmark: `node src/main.ts serve [--workers N]` in a
// process of its own (the cluster's primary and its workers), stdout to /dev/null as a
// production log would go, ready once /health/ready answers and every worker listens.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../test/helpers/server-process.ts';

const run = promisify(execFile);

export interface ServeProcess {
  url: string;
  /** The primary (the server itself without --workers). */
  pid: number;
  /** The primary and its workers (one pid without --workers). */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

export async function startServe(
  workers: number,
  env: Record<string, string>,
  { jobs = false, nodeArgs = [] }: { jobs?: boolean; nodeArgs?: string[] } = {},
): Promise<ServeProcess> {
  const port = await freePort();
  const args = [
    ...nodeArgs,
    'src/main.ts',
    'serve',
    ...(jobs ? [] : ['--no-jobs']),
    ...(workers > 1 ? ['--workers', String(workers)] : []),
  ];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const pids = async () => [child.pid!, ...(await childrenOf(child.pid!))];
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`serve --workers ${workers} exited (${child.exitCode})`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    // Workers after the first start once it listens: wait for all of them, then a second
    // for the last one to bind.
    if (ready && (workers === 1 || (await pids()).length === workers + 1)) break;
    if (Date.now() > deadline) throw new Error(`serve --workers ${workers} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, workers > 1 ? 3000 : 0));
  return {
    url,
    pid: child.pid!,
    pids,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
