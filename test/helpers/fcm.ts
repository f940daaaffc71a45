// A loopback server speaking the FCM HTTP v1 contract: the OAuth token endpoint (it checks
// the service account's signed JWT assertion) and messages:send (it checks the access
// token). Tests script its answers (429 with Retry-After, 5xx, a held request) and read
// back every message it received.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jwtVerify } from 'jose';

export interface ReceivedPush {
  at: number;
  token: string;
  message: {
    token: string;
    notification: { title: string; body: string };
    data: Record<string, string>;
    android: { collapse_key: string; notification: { tag: string } };
    apns: { headers: Record<string, string> };
  };
}

export type ScriptedAnswer =
  { status: number; headers?: Record<string, string>; body?: unknown } | 'hold';

export interface FakeFcm {
  env: Record<string, string>;
  received: ReceivedPush[];
  tokenRequests: number;
  /** Tokens answered with 404 UNREGISTERED. */
  unregistered: Set<string>;
  /** Answers for the next send requests, in order (then 200). */
  script: ScriptedAnswer[];
  /** Resolves when the next send request arrives. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

const PROJECT = 'amira-test';

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const fcmError = (status: number, code: string) => ({
  error: {
    code: status,
    message: code,
    status: code === 'UNREGISTERED' ? 'NOT_FOUND' : code,
    details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }],
  },
});

export async function startFakeFcm(): Promise<FakeFcm> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `amira-push@${PROJECT}.iam.gserviceaccount.com`;
  const accessTokens = new Set<string>();
  const held: ServerResponse[] = [];
  let waiters: (() => void)[] = [];
  let tokenUri = '';

  const fake: Omit<FakeFcm, 'env' | 'close'> = {
    received: [],
    tokenRequests: 0,
    unregistered: new Set(),
    script: [],
    nextRequest: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (request.method === 'POST' && request.url === '/token') {
        const form = new URLSearchParams(body);
        const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
          issuer: clientEmail,
          audience: tokenUri,
        });
        if (
          form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
          !payload.scope
        ) {
          return json(response, 400, { error: 'invalid_grant' });
        }
        fake.tokenRequests++;
        const token = `ya29.${randomUUID()}`;
        accessTokens.add(token);
        return json(response, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }
      if (request.method === 'POST' && request.url === `/v1/projects/${PROJECT}/messages:send`) {
        const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!accessTokens.has(bearer)) return json(response, 401, fcmError(401, 'UNAUTHENTICATED'));
        const { message } = JSON.parse(body) as { message: ReceivedPush['message'] };
        fake.received.push({ at: Date.now(), token: message.token, message });
        const wake = waiters;
        waiters = [];
        for (const resolve of wake) resolve();
        const answer = fake.script.shift();
        if (answer === 'hold') return void held.push(response);
        if (answer)
          return json(
            response,
            answer.status,
            answer.body ?? fcmError(answer.status, 'UNAVAILABLE'),
            answer.headers,
          );
        if (fake.unregistered.has(message.token))
          return json(response, 404, fcmError(404, 'UNREGISTERED'));
        return json(response, 200, { name: `projects/${PROJECT}/messages/${randomUUID()}` });
      }
      json(response, 404, { error: 'not found' });
    })().catch((error: unknown) => json(response, 401, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  tokenUri = `${base}/token`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-fcm-'));
  const file = path.join(dir, 'service-account.json');
  await writeFile(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: PROJECT,
      client_email: clientEmail,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      token_uri: tokenUri,
    }),
  );
  return Object.assign(fake, {
    env: { FCM_SERVICE_ACCOUNT_FILE: file, FCM_API_URL: base },
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  });
}
