// wrk against a server, with every answer checked by bench/wrk/scenario.lua, and the CPU a
// process spent (from /proc), shared by the HTTP benchmarks.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = path.resolve('bench/wrk/scenario.lua');
const CLOCK_TICK_MS = 1000 / 100; // /proc/<pid>/stat times are in USER_HZ (100 on Linux)

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  checked: number;
  badStatus: number;
  badBody: number;
  firstBad: string;
}

export interface Target {
  url: string;
  env: Record<string, string>;
  /** The warm-up's environment when it must differ (refresh tokens are used once). */
  warmEnv?: Record<string, string>;
  connections: number;
  /** Runs wrk with one thread on these CPUs only (taskset), away from the server's. */
  pin?: string;
}

export async function wrk(
  url: string,
  env: Record<string, string>,
  options: { seconds: number; connections: number; pin?: string | undefined },
): Promise<WrkResult> {
  const threads = options.pin ? 1 : 2;
  const { stdout } = await run(
    options.pin ? 'taskset' : 'wrk',
    [
      ...(options.pin ? ['-c', options.pin, 'wrk'] : []),
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      SCRIPT,
      url,
    ],
    { env: { ...process.env, THREADS: String(threads), ...env }, maxBuffer: 1 << 20 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line) as WrkResult;
}

/** Why a wrk run cannot be trusted (empty when every answer it counted was right). */
export function defects(r: WrkResult, what: string): string[] {
  const out: string[] = [];
  if (r.checked !== r.requests) out.push(`${what}: ${r.checked} of ${r.requests} answers checked`);
  if (r.badStatus > 0) out.push(`${what}: ${r.badStatus} non-2xx`);
  if (r.badBody > 0) out.push(`${what}: ${r.badBody} bodies without the expected items`);
  if (r.errors > 0) out.push(`${what}: ${r.errors} socket errors/timeouts`);
  if (r.requests === 0) out.push(`${what}: no answers`);
  if (r.firstBad) out.push(`${what}: first bad answer: ${r.firstBad}`);
  return out;
}

export async function processCpuMs(pid: number | number[] | 'self'): Promise<number> {
  if (Array.isArray(pid)) {
    const each = await Promise.all(pid.map((one) => processCpuMs(one)));
    return each.reduce((sum, ms) => sum + ms, 0);
  }
  if (pid === 'self') {
    const { user, system } = process.cpuUsage();
    return Promise.resolve((user + system) / 1000);
  }
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => {
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
    },
    () => 0,
  );
}
