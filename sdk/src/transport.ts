// Sends operations: builds the URL and body from the arguments, adds the access token
// (refreshed first when it is about to expire, with one refresh in flight however many
// calls wait for it), sends an Idempotency-Key on creates that honour one (the same key on
// every retry), retries what is safe to retry, and turns every failure into a typed error.
import pRetry from 'p-retry';
import {
  ApiError,
  NetworkError,
  SignInRequired,
  UnexpectedResponse,
  type Problem,
} from './errors.ts';
import { randomId } from './crypto.ts';
import { OPERATIONS } from './operations.ts';
import type { OperationId, RequestArgs, Result } from './operation-types.ts';
import { parseSession, type KeyValueStorage, type SavedSession } from './session.ts';

export interface TransportOptions {
  baseUrl: string;
  fetch: typeof fetch;
  storage: KeyValueStorage;
  storageKey: string;
  /** Retries after a network failure, a 429, 502, 503 or 504 (default 2). */
  retries: number;
  onSignedOut: ((error: SignInRequired) => void) | undefined;
  now: () => number;
}

/** Extra inputs a hand-written call adds to the document's arguments. */
export interface SendExtra {
  form?: FormData;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

/** A refresh starts this long before the access token expires (clock skew, slow networks). */
const EXPIRY_MARGIN_MS = 30_000;
/** A Retry-After longer than this is not waited for: the error goes to the app. */
const MAX_RETRY_AFTER_S = 30;
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** 401s about the token itself (a refresh may cure them), not about a password. */
const TOKEN_REFUSALS = new Set([
  'unauthenticated',
  'token-expired',
  'token-invalid',
  'session-revoked',
]);

type LooseArgs = {
  path?: Record<string, string | number>;
  query?: Record<string, unknown>;
  header?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
};

export class Transport {
  private session: SavedSession | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/$/, '') };
  }

  get current(): SavedSession | undefined {
    return this.session;
  }

  async restore(): Promise<SavedSession | undefined> {
    const { storage, storageKey } = this.options;
    this.session = parseSession(await storage.getItem(storageKey));
    return this.session;
  }

  async save(session: SavedSession | undefined): Promise<void> {
    this.session = session;
    const { storage, storageKey } = this.options;
    if (session) await storage.setItem(storageKey, JSON.stringify(session));
    else await storage.removeItem(storageKey);
  }

  /** Keeps a token pair (sign-in, refresh), carrying over what else the session holds. */
  async remember(
    pair: { access_token: string; refresh_token: string; expires_in: number },
    userId?: string,
  ) {
    // A sign-in as someone else starts a new session; a refresh keeps what the session holds.
    const kept = userId && userId !== this.session?.user_id ? {} : this.session;
    await this.save({
      ...kept,
      ...(userId ? { user_id: userId } : {}),
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      access_expires_at: this.options.now() + pair.expires_in * 1000,
    });
  }

  async send<K extends OperationId>(
    id: K,
    args: RequestArgs<K>,
    extra: SendExtra = {},
  ): Promise<Result<K>> {
    const spec = OPERATIONS[id];
    const loose = args as LooseArgs;
    const url = this.options.baseUrl + fillPath(spec.path, loose.path) + queryString(loose.query);
    const headers = new Headers(extra.headers);
    for (const [name, value] of Object.entries(loose.header ?? {}))
      if (value !== undefined) headers.set(name, String(value));
    if (spec.idempotent && !headers.has('idempotency-key'))
      headers.set('idempotency-key', extra.idempotencyKey ?? (await randomId()));
    let body: BodyInit | undefined = extra.form;
    if (loose.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(loose.body);
    }
    // A retry is safe when the method is idempotent or the server deduplicates by key.
    const replayable = spec.method !== 'POST' || headers.has('idempotency-key');
    const response = await pRetry(
      () =>
        this.attempt(url, { method: spec.method, headers, body, signal: loose.signal }, spec.auth),
      {
        retries: replayable ? this.options.retries : 0,
        minTimeout: 250,
        randomize: true,
        signal: loose.signal,
        shouldRetry: ({ error }) => retryable(error),
        onFailedAttempt: async ({ error }) => {
          const seconds = error instanceof ApiError ? error.retryAfterSeconds : undefined;
          if (seconds !== undefined && seconds <= MAX_RETRY_AFTER_S)
            await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        },
      },
    );
    if (spec.answer === 'binary') return response as Result<K>;
    if (spec.answer === 'empty' || response.status === 204) return undefined as Result<K>;
    return (await response.json()) as Result<K>;
  }

  /** One try: with a fresh token, and once more after a refresh if the token was refused. */
  private async attempt(url: string, init: RequestInit & { headers: Headers }, auth: boolean) {
    if (!auth) return this.fetchChecked(url, init);
    const token = await this.accessToken();
    init.headers.set('authorization', `Bearer ${token}`);
    try {
      return await this.fetchChecked(url, init);
    } catch (error) {
      if (!(error instanceof ApiError) || !TOKEN_REFUSALS.has(error.code)) throw error;
      // Another call may have refreshed meanwhile; otherwise this one does.
      if (this.session?.access_token === token) await this.refresh();
      init.headers.set('authorization', `Bearer ${await this.accessToken()}`);
      return this.fetchChecked(url, init);
    }
  }

  private async fetchChecked(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.options.fetch(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new NetworkError(error);
    }
    if (response.ok || response.status === 304) return response;
    throw await failureOf(response);
  }

  private async accessToken(): Promise<string> {
    if (!this.session) throw new SignInRequired();
    if (this.session.access_expires_at - EXPIRY_MARGIN_MS <= this.options.now())
      await this.refresh();
    return this.session.access_token;
  }

  /** Exchanges the refresh token; concurrent callers share the one exchange in flight. */
  refresh(): Promise<void> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<void> {
    const refreshToken = this.session?.refresh_token;
    if (!refreshToken) throw new SignInRequired();
    try {
      const response = await this.fetchChecked(`${this.options.baseUrl}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      await this.remember(
        (await response.json()) as {
          access_token: string;
          refresh_token: string;
          expires_in: number;
        },
      );
    } catch (error) {
      // Refused (revoked, expired, reused): the session is over. Offline: it is not.
      if (
        error instanceof ApiError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 429
      )
        throw await this.signedOut(error);
      throw error;
    }
  }

  /** Forgets the session and tells the app (which shows its sign-in screen). */
  async signedOut(cause?: unknown): Promise<SignInRequired> {
    await this.save(undefined);
    const error = new SignInRequired(cause);
    this.options.onSignedOut?.(error);
    return error;
  }
}

function retryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (error instanceof ApiError || error instanceof UnexpectedResponse)
    return RETRYABLE_STATUSES.has(error.status);
  return false;
}

async function failureOf(response: Response): Promise<Error> {
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text().catch(() => '');
  if (/json/.test(contentType)) {
    try {
      const problem = JSON.parse(text) as Partial<Problem>;
      if (typeof problem.type === 'string' && typeof problem.status === 'number')
        return new ApiError(problem as Problem);
    } catch {
      // Not JSON after all: reported below as what it is.
    }
  }
  return new UnexpectedResponse(response.status, contentType, text.slice(0, 500));
}

function fillPath(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
