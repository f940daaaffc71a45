// Scale-out behind the gateway: two replicas of the whole API and one `journals` service,
// as separate processes behind nginx (deploy/nginx/amira.conf.template), on PostgreSQL,
// Redis and an S3-compatible store. Skipped, saying why, where nginx is missing and cannot be
// installed; under CI=true a missing nginx fails the file.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { startS3, type S3Server } from '../helpers/s3.ts';
import { freePort, installed, which } from '../helpers/private-services.ts';
import { encrypt, metadataFor, multipart, wrappedJournalKey } from '../helpers/journals.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Only the PostgreSQL project runs it, so only that one may install nginx (in CI, as root:
// installed() does it).
// Where nginx is missing it skips, saying so; under CI=true it fails instead (installed()).
const nginx =
  databaseKind() === 'postgres' && (await installed('nginx')) ? await which('nginx') : undefined;
const enabled = nginx !== undefined;

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  output: string[];
}

describe.runIf(enabled)('two API replicas and a journals service behind nginx', () => {
  let dir: string;
  let s3: S3Server;
  let gateway: ChildProcess | undefined;
  let gatewayUrl: string;
  const servers: Server[] = [];
  let env: Record<string, string>;

  async function start(name: string, args: string[]): Promise<Server> {
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(process.execPath, ['src/main.ts', 'serve', ...args], {
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`${name} exited:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const server = { name, url, child, output };
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'amira-scale-'));
    s3 = await startS3();
    const gatewayPort = await freePort();
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    env = {
      PATH: process.env.PATH ?? '',
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: await clonePostgresDatabase(),
      REDIS_URL,
      REDIS_KEY_PREFIX: `amira-test-${randomUUID().slice(0, 8)}:`,
      MIGRATE_ON_START: 'false',
      PUBLIC_BASE_URL: gatewayUrl,
      TRUST_PROXY: '1',
      LOG_LEVEL: 'warn',
      ...s3.env,
    };
    // The first replica writes the signing keys and app secret into DATA_DIR; the others read them.
    const a = await start('api-a', []);
    const [b, journals] = await Promise.all([
      start('api-b', ['--no-jobs']),
      start('journals', ['--services', 'journals', '--no-jobs']),
    ]);
    const template = await readFile('deploy/nginx/amira.conf.template', 'utf8');
    const host = (s: Server) => `server ${new URL(s.url).host};`;
    const site = template
      .replaceAll('${LISTEN}', `127.0.0.1:${gatewayPort}`)
      .replaceAll('${API_SERVERS}', `${host(a)} ${host(b)}`)
      .replaceAll('${JOURNALS_SERVERS}', host(journals));
    const prefix = path.join(dir, 'nginx');
    await mkdir(path.join(prefix, 'logs'), { recursive: true });
    await writeFile(path.join(prefix, 'site.conf'), site);
    await writeFile(
      path.join(prefix, 'nginx.conf'),
      `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log warn;
       events { worker_connections 256; }
       http { access_log off; client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy;
              fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
              include ${prefix}/site.conf; }`,
    );
    const gatewayOutput: string[] = [];
    gateway = spawn(nginx!, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stderr?.on('data', (c: Buffer) => gatewayOutput.push(c.toString()));
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`${gatewayUrl}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!up) {
      const log = await readFile(path.join(prefix, 'logs', 'error.log'), 'utf8').catch(() => '');
      throw new Error(`nginx did not start: ${gatewayOutput.join('')}\n${log}`);
    }
  }, 120_000);

  afterAll(async () => {
    gateway?.kill('SIGTERM');
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(
      servers.map(
        (s) =>
          new Promise((resolve) =>
            s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve),
          ),
      ),
    );
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (
    base: string,
    method: string,
    url: string,
    token?: string,
    body?: unknown,
  ) => {
    const response = await fetch(base + url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  it('shares sessions, revocations, rate limits and recordings across processes', async () => {
    const byName = (name: string) => servers.find((s) => s.name === name)!;
    const [a, b, journals] = [byName('api-a'), byName('api-b'), byName('journals')];
    const email = `scale.${randomUUID().slice(0, 8)}@example.com`;
    const password = `quiet-lake-${randomUUID()}`;
    const registered = await call(gatewayUrl, 'POST', '/v1/auth/register', undefined, {
      email,
      password,
      language_preference: 'es',
      time_zone: 'America/Bogota',
    });
    expect(registered.status).toBe(201);
    const login = await call(a.url, 'POST', '/v1/auth/login', undefined, { email, password });
    const token = login.body.access_token as string;

    // A token issued by one replica works on the other.
    expect((await call(b.url, 'GET', '/v1/users/me', token)).status).toBe(200);
    // The split journals service mounts only its module.
    expect((await call(journals.url, 'GET', '/v1/users/me', token)).status).toBe(404);

    // An upload through the gateway (to the journals service) downloads from a replica.
    const encrypted = encrypt(randomBytes(8192));
    const form = multipart([
      {
        name: 'metadata',
        value: JSON.stringify(metadataFor(encrypted, { journal_key: wrappedJournalKey() })),
      },
      { name: 'audio', value: encrypted.ciphertext, filename: 'audio.bin' },
    ]);
    const uploaded = await fetch(`${gatewayUrl}/v1/journals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType },
      body: form.body,
    });
    expect(uploaded.status).toBe(201);
    const journal = (await uploaded.json()) as { id: string };
    const audio = await fetch(`${b.url}/v1/journals/${journal.id}/audio`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).equals(encrypted.ciphertext)).toBe(true);

    // A share link through the gateway: its page, and the ciphertext for the recipient.
    const share = await call(gatewayUrl, 'POST', `/v1/journals/${journal.id}/shares`, token, {});
    expect(share.status).toBe(201);
    const page = await fetch(`${gatewayUrl}/s/${share.body.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await fetch(`${gatewayUrl}/s/assets/share.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const shared = await fetch(`${gatewayUrl}/v1/shares/${share.body.id}/audio`);
    expect(Buffer.from(await shared.arrayBuffer()).equals(encrypted.ciphertext)).toBe(true);

    // A logout on one replica is honoured by the other at once.
    expect((await call(a.url, 'POST', '/v1/auth/logout', token)).status).toBe(204);
    expect((await call(b.url, 'GET', '/v1/users/me', token)).status).toBe(401);
    expect((await call(gatewayUrl, 'GET', '/v1/journals', token)).status).toBe(401);

    // The login limit (5 failures a minute per address and email) is one budget for all.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const target = i % 2 === 0 ? a : b;
      statuses.push(
        (
          await call(target.url, 'POST', '/v1/auth/login', undefined, {
            email,
            password: 'wrong-password-123',
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  }, 60_000);

  it('never passes the operators’ routes on to the internet, whatever the processes serve', async () => {
    // These processes run in development configuration, which serves them on PORT.
    const api = servers.find((s) => s.name === 'api-a')!;
    expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
    for (const url of ['/metrics', '/docs', '/docs/static/index.html', '/openapi.json']) {
      const response = await fetch(gatewayUrl + url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await fetch(`${gatewayUrl}/health/ready`)).status).toBe(200);
  });
});
