// Firebase Cloud Messaging, HTTP v1 API. A service account signs a JWT (RS256) that the
// token endpoint exchanges for an OAuth access token (cached until shortly before it
// expires); each push is one POST to messages:send.
//
// Resilience (cockatiel): a timeout per call; up to 3 attempts on 429 and 5xx, waiting what
// Retry-After says (at most 30 s; longer waits go back to the job queue) or an exponential
// backoff with jitter; a circuit breaker that stops calling after 5 consecutive failures
// and tries again after 30 s. A dead token (UNREGISTERED, INVALID_ARGUMENT) is an outcome,
// not an error: the caller forgets the token.
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  TaskCancelledError,
  DelegateBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { SignJWT, importPKCS8 } from 'jose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { trackBreaker } from '../resilience.ts';
import { PushUnavailable, type PushMessage, type PushOutcome, type PushProvider } from './push.ts';

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  token_uri: string;
}

export interface FcmOptions {
  serviceAccount: ServiceAccount;
  /** https://fcm.googleapis.com in production; a loopback server in tests. */
  apiUrl: string;
  log: Logger;
  /** Where the breaker's state is exported (circuit_breaker_state{dependency="fcm"}). */
  metrics?: Registry;
  timeoutMs?: number;
  maxRetryAfterMs?: number;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface FcmErrorBody {
  error?: { status?: string; details?: { errorCode?: string }[] };
}

export function createFcmProvider(options: FcmOptions): PushProvider {
  const { serviceAccount: account, log } = options;
  const maxWait = options.maxRetryAfterMs ?? 30_000;
  let cached: { token: string; expiresAt: number } | undefined;
  let signingKey: CryptoKey | undefined;

  async function accessToken(): Promise<string> {
    if (cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
    signingKey ??= await importPKCS8(account.private_key, 'RS256');
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);
    const response = await fetch(account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }),
    });
    if (!response.ok) {
      throw new PushUnavailable(`FCM token exchange failed: ${response.status}`);
    }
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new PushUnavailable('FCM token exchange returned no token');
    cached = { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return cached.token;
  }

  const transient = handleWhen(
    (error) => error instanceof PushUnavailable && (error.retryAfterMs ?? 0) <= maxWait,
  );
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof PushUnavailable),
    {
      halfOpenAfter: 30_000,
      breaker: new ConsecutiveBreaker(5),
    },
  );
  if (options.metrics) trackBreaker(options.metrics, 'fcm', breaker, log);
  const policy = wrap(
    retry(transient, {
      maxAttempts: 2,
      backoff: new DelegateBackoff((context) => {
        const error = 'error' in context.result ? context.result.error : undefined;
        const asked = error instanceof PushUnavailable ? error.retryAfterMs : undefined;
        return asked ?? Math.min(10_000, 500 * 2 ** context.attempt) * (0.5 + Math.random() / 2);
      }),
    }),
    circuitBreaker(
      handleWhen((error) => error instanceof PushUnavailable),
      {
        halfOpenAfter: 30_000,
        breaker: new ConsecutiveBreaker(5),
      },
    ),
    timeout(options.timeoutMs ?? 10_000, TimeoutStrategy.Aggressive),
  );

  async function sendOnce(message: PushMessage, signal: AbortSignal): Promise<PushOutcome> {
    const token = await accessToken();
    const response = await fetch(
      `${options.apiUrl}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`,
      {
        method: 'POST',
        signal,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            token: message.token,
            notification: { title: message.title, body: message.body },
            data: message.data,
            android: {
              collapse_key: message.collapseId,
              notification: { tag: message.collapseId },
            },
            apns: { headers: { 'apns-collapse-id': message.collapseId } },
          },
        }),
      },
    );
    if (response.ok) {
      const body = (await response.json()) as { name?: string };
      return { ok: true, messageId: body.name ?? '' };
    }
    const error = ((await response.json().catch(() => ({}))) as FcmErrorBody).error;
    const code = error?.details?.find((d) => d.errorCode)?.errorCode ?? error?.status;
    if (code === 'UNREGISTERED') return { ok: false, reason: 'unregistered' };
    if (code === 'INVALID_ARGUMENT') return { ok: false, reason: 'invalid-token' };
    if (response.status === 401) {
      cached = undefined; // expired or revoked: the next attempt fetches a new token
      throw new PushUnavailable('FCM refused the access token');
    }
    if (response.status === 429 || response.status >= 500) {
      throw new PushUnavailable(
        `FCM answered ${response.status}`,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    // Anything else is a bug in the request: retrying would not help.
    throw new Error(`FCM refused the message: ${response.status} ${code ?? ''}`);
  }

  return {
    kind: 'fcm',
    async send(message) {
      try {
        return await policy.execute(({ signal }) => sendOnce(message, signal));
      } catch (error) {
        log.warn({ err: error }, 'push not sent');
        if (error instanceof BrokenCircuitError || error instanceof TaskCancelledError) {
          throw new PushUnavailable(`FCM unavailable: ${error.message}`);
        }
        throw error;
      }
    },
  };
}
