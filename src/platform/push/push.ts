// Push delivery to phones. A push passes through Google's and Apple's servers and shows on
// a lock screen, so callers put only generic text in it (never a journal title, a note or
// an emotion); the app fetches the details from the inbox once opened.

export interface PushMessage {
  token: string;
  title: string;
  body: string;
  /** String values only (FCM's data payload); ids, never content. */
  data: Record<string, string>;
  /** A device shows one notification per collapse id: a retried send replaces, not repeats. */
  collapseId: string;
}

export type PushOutcome =
  | { ok: true; messageId: string }
  /** The provider says the token is dead (app uninstalled, token rotated): forget it. */
  | { ok: false; reason: 'unregistered' | 'invalid-token' };

export interface PushProvider {
  kind: 'local' | 'fcm';
  /** Resolves with the outcome; throws when the provider is unavailable (retry later). */
  send(message: PushMessage): Promise<PushOutcome>;
}

/** The provider could not be reached or asked us to slow down; the job retries later. */
export class PushUnavailable extends Error {
  override name = 'PushUnavailable';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}
