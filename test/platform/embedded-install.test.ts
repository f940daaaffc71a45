// The default install as a person runs it: `serve` in a real process with nothing but a
// data directory (PGlite in the pglite project; the same command on PostgreSQL in the
// other), its real scheduler ticking, and one-off commands run beside it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { runCommand, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { uniqueEmail } from '../helpers/users.ts';

const TIME_ZONE = 'America/Mexico_City';

let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-install-'));
  env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  if (databaseKind() === 'postgres') env.DATABASE_URL = await clonePostgresDatabase();
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * One API call as a mobile client makes it, honouring a 503's Retry-After (the embedded
 * server sheds load while a busy machine starts it) a few times.
 */
async function call(
  method: string,
  url: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any; raw: string }> {
  if (!server) throw new Error('no server');
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const raw = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 503 && retryAfter > 0 && attempt < 6) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    return { status: response.status, body: raw ? JSON.parse(raw) : undefined, raw };
  }
}

/** "HH:MM" now in the zone. */
function localMinute(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

describe('the default install', () => {
  it('runs its schedules: a reminder due this local minute reaches the inbox with no one draining jobs', async () => {
    server = await startServer(env);
    const password = 'quiet-lake-evening-42';
    const registered = await call('POST', '/v1/auth/register', {
      body: {
        email: uniqueEmail('install'),
        password,
        language_preference: 'es',
        time_zone: TIME_ZONE,
      },
    });
    expect(registered.status, registered.raw).toBe(201);
    const token = registered.body.access_token as string;
    const reminderTime = localMinute(TIME_ZONE);
    const preferences = await call('PUT', '/v1/notifications/preferences', {
      token,
      body: { reminder_time: reminderTime, affirmations_enabled: false },
    });
    expect(preferences.status, preferences.raw).toBe(200);
    expect(preferences.body.reminder_time).toBe(reminderTime);

    // The per-minute tick is a pg-boss cron job; nothing here runs it by hand. It fires at
    // the next minute at the latest (the catch-up window covers a minute already begun).
    const reminders = await (async () => {
      const deadline = Date.now() + 150_000;
      for (;;) {
        const inbox = await call('GET', '/v1/notifications', { token });
        expect(inbox.status, inbox.raw).toBe(200);
        const found = (inbox.body.items as { kind: string }[]).filter((n) => n.kind === 'reminder');
        if (found.length > 0 || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    const texts = JSON.parse(await readFile('content/notifications.json', 'utf8')) as {
      reminder: { es: { title: string; body: string }[] };
    };
    expect(reminders, server.output()).toHaveLength(1);
    expect(texts.reminder.es).toContainEqual({
      title: (reminders[0] as unknown as { title: string }).title,
      body: (reminders[0] as unknown as { body: string }).body,
    });
  }, 240_000);

  it.runIf(databaseKind() === 'pglite')(
    'keeps the embedded database to one process: commands beside a live server refuse, and nothing reported done is lost',
    async () => {
      server ??= await startServer(env);
      const email = uniqueEmail('admin');
      const commands = [['create-admin', '--email', email], ['migrate'], ['seed']];
      const results = await Promise.all(commands.map((args) => runCommand(args, env)));
      for (const [i, refused] of results.entries()) {
        const label = `${commands[i]?.[0]}: ${refused.stdout}${refused.stderr}`;
        expect(refused.code, label).not.toBe(0);
        expect(refused.stderr, label).toContain('is in use by another Amira process');
        expect(refused.stdout).not.toMatch(
          /Created administrator|migrations applied|content loaded/,
        );
      }
      // The live server still works after the refused commands.
      expect((await call('GET', '/health/ready')).status).toBe(200);

      expect(await server.stop()).toBe(0);
      const created = await runCommand(['create-admin', '--email', email], env);
      expect(created.code, created.stderr).toBe(0);
      const password = /Temporary password \(shown once\): (\S+)/.exec(created.stdout)?.[1];
      expect(password).toBeDefined();

      // What the command reported is there after the server starts again on the same files.
      server = await startServer(env);
      const login = await call('POST', '/v1/auth/login', { body: { email, password } });
      expect(login.status, login.raw).toBe(200);
      expect(login.body.user.role).toBe('admin');
      expect(await server.stop()).toBe(0);
      server = undefined;
    },
    240_000,
  );
});
