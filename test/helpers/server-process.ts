// The real server as an operator runs it: `node src/main.ts <command>` in a child process,
// on a port the OS chose, with the environment the test gives (nothing inherited but PATH).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Sends the signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A port nobody listens on right now (the OS picks it), so parallel test files never collide. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a one-off command (migrate, create-admin, ...) to its end. */
export function runCommand(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/main.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `serve` (or the given command) and resolves once /health/ready answers 200.
 * Generous by default: a cold start (migrations, seed) on a CI machine busy with other files.
 */
export async function startServer(
  env: Record<string, string>,
  {
    args = ['serve'],
    port,
    readyPort,
    readyWithinMs = 90_000,
  }: {
    args?: string[];
    port?: number;
    /** Where /health/ready answers, when not on PORT (a worker's OPS_PORT). */
    readyPort?: number;
    readyWithinMs?: number;
  } = {},
): Promise<ServerProcess> {
  const chosen = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosen}`;
  const chunks: string[] = [];
  const child = spawn(process.execPath, ['src/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(chosen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const server: ServerProcess = {
    url,
    port: chosen,
    child,
    output: () => chunks.join(''),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
    const ready = await fetch(
      readyPort ? `http://127.0.0.1:${readyPort}/health/ready` : `${url}/health/ready`,
    ).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await server.stop('SIGKILL');
  throw new Error(`the server did not become ready:\n${server.output()}`);
}
