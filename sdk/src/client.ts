// A client for the whole Amira Wellness API that keeps the user's keys on the device.
// Every operation of the OpenAPI document is a method named after its operationId: most
// are generated (operations.ts); those that involve keys are written here, with the same
// names and arguments in plain words. Types come from the document (api-types.ts).
import {
  dataKeyId,
  decryptText,
  deriveKeys,
  encryptText,
  fromBase64,
  generateDataKey,
  generateJournalKey,
  generateRecoveryKey,
  importKey,
  randomId,
  recoveryKek,
  toBase64,
  unwrapDataKey,
  unwrapJournalKey,
  wrapDataKey,
  wrapJournalKey,
  type KeyParams,
  type SecretKey,
} from './crypto.ts';
import type { SignInRequired } from './errors.ts';
import { Operations } from './operations.ts';
import type {
  OperationId,
  PagedOperationId,
  PageItem,
  RequestArgs,
  Result,
} from './operation-types.ts';
import { CheckinOutbox, type BatchItem } from './outbox.ts';
import { primitives } from './primitives.ts';
import {
  audioInfoOf,
  encryptionOf,
  uploadForm,
  type FormArgs,
  type RecordingInput,
} from './recordings.ts';
import { SEGMENTED_ALGORITHM, encryptSegmented } from './segmented.ts';
import { memoryStorage, type KeyValueStorage } from './session.ts';
import { shareLink } from './shares.ts';
import { Transport, type SendExtra } from './transport.ts';
import { decryptedAudio, downloadAudio } from './playback.ts';

export type TokenPair = Result<'completeMfaLogin'>;
export type JournalDetail = Result<'getJournal'>;
export type Journal = Result<'replaceJournalTitle'>;
export type Checkin = Result<'getCheckin'>;
export type Share = Result<'createShare'>;
export type KeyEnvelopes = Result<'getKeyEnvelopes'>;
export type BatchResults = Result<'createCheckinBatch'>;
export type { RecordingInput } from './recordings.ts';

/** Asks the person for the six digits of their authenticator app (two-step sign-in). */
export type AskForCode = () => Promise<{ code: string } | { recovery_code: string }>;

/** A share link as the owner sees it: its label decrypted. */
export type OwnShare = Omit<Share, 'label'> & { label: string | null };

/** How long and how often a share link opens, and who it is for (seen by the owner only). */
export interface ShareOptions {
  expiresInDays?: number;
  maxDownloads?: number;
  label?: string;
}

/** A check-in to record; `notes` is the person's text, encrypted here before it leaves. */
export interface CheckinInput {
  emotion_type_id: number;
  intensity: number;
  context: Checkin['context'];
  notes?: string;
  created_at?: string;
  related_journal_id?: string;
  related_tool_id?: string;
}

/** How many plaintext fields a sync encrypted (migratePlaintext). */
export interface PlaintextMigration {
  notes: number;
  titles: number;
}

/** The device this app runs on: sent at registration and sign-in (push tokens hang on it). */
export interface Device {
  id: string;
  name?: string;
  platform: 'ios' | 'android' | 'web' | 'other';
}

export interface ClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Where the session is kept between launches (localStorage, AsyncStorage, a Keychain wrapper). */
  storage?: KeyValueStorage;
  /** The storage key of the session; the offline check-ins use `<storageKey>.outbox`. */
  storageKey?: string;
  /** Save the data key with the session: only with a secure storage (Keychain, Keystore). */
  keepDataKey?: boolean;
  device?: Device;
  /** Retries after a network failure or a 429/502/503/504 (default 2). */
  retries?: number;
  /** Called when the session ends (refresh refused): show the sign-in screen. */
  onSignedOut?: (error: SignInRequired) => void;
}

export class AmiraClient extends Operations {
  private readonly transport: Transport;
  private readonly device: Device | undefined;
  private readonly keepDataKey: boolean;
  private readonly outbox: CheckinOutbox;
  private dataKey: SecretKey | undefined;
  private dataKeyName: string | undefined;

  constructor(options: ClientOptions) {
    super();
    const storage = options.storage ?? memoryStorage();
    const storageKey = options.storageKey ?? 'amira.session';
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      storage,
      storageKey,
      retries: options.retries ?? 2,
      onSignedOut: options.onSignedOut,
      now: () => Date.now(),
    });
    this.device = options.device;
    this.keepDataKey = options.keepDataKey ?? false;
    this.outbox = new CheckinOutbox(
      storage,
      `${storageKey}.outbox`,
      () => this.transport.current?.user_id,
    );
  }

  protected send<K extends OperationId>(
    id: K,
    args: RequestArgs<K>,
    extra?: SendExtra,
  ): Promise<Result<K>> {
    return this.transport.send(id, args, extra);
  }

  /** Whether a session is held (it may still need unlock() to read journals). */
  get signedIn(): boolean {
    return this.transport.current !== undefined;
  }

  /** Whether this session holds a data key (it can read and write journals). */
  get canDecrypt(): boolean {
    return this.dataKey !== undefined;
  }

  /**
   * Picks up the session saved by an earlier launch. Answers whether there was one; with
   * keepDataKey it is unlocked too, otherwise unlock() with the password reads journals.
   */
  async restore(): Promise<boolean> {
    const saved = await this.transport.restore();
    if (saved?.data_key) await this.useDataKey(await importKey(fromBase64(saved.data_key)));
    return saved !== undefined;
  }

  /** Every item of a paged list, fetching pages as the loop goes (`for await`). */
  async *paginate<K extends PagedOperationId>(
    id: K,
    args: RequestArgs<K> = {} as RequestArgs<K>,
  ): AsyncGenerator<PageItem<K>> {
    let cursor: string | null = null;
    do {
      const query = { ...(args as { query?: object }).query, ...(cursor ? { cursor } : {}) };
      const page = (await this.send(id, { ...args, query } as RequestArgs<K>)) as unknown as {
        items: PageItem<K>[];
        next_cursor: string | null;
      };
      yield* page.items;
      cursor = page.next_cursor;
    } while (cursor);
  }

  // ── Signing in and out ────────────────────────────────────────────────────────────

  private async useDataKey(key: SecretKey | undefined): Promise<void> {
    this.dataKey = key;
    this.dataKeyName = key ? await dataKeyId(key) : undefined;
    const session = this.transport.current;
    if (this.keepDataKey && session) {
      const { data_key: _dropped, ...rest } = session;
      const raw = key ? toBase64(await (await primitives()).exportKey(key)) : undefined;
      await this.transport.save(raw ? { ...rest, data_key: raw } : rest);
    }
  }

  private async signedInWith(pair: TokenPair): Promise<TokenPair> {
    await this.transport.remember(pair, pair.user.id);
    return pair;
  }

  private deviceField() {
    if (!this.device) return {};
    const { id, name, platform } = this.device;
    return { device: { device_id: id, platform, ...(name ? { device_name: name } : {}) } };
  }

  /** The key-derivation parameters of an account (or the ones a new account gets). */
  keyParams(email: string): Promise<KeyParams> {
    return this.send('getKeyParams', { query: { email } });
  }

  /** Creates the account with a fresh data key wrapped under the password-derived KEK. */
  async register(input: {
    email: string;
    password: string;
    language: 'es' | 'en';
    timeZone: string;
    displayName?: string;
  }): Promise<TokenPair> {
    const params = await this.keyParams(input.email);
    const { authKey, kek } = await deriveKeys(input.password, params);
    const dataKey = await generateDataKey();
    const pair = await this.send('register', {
      body: {
        email: input.email,
        password: authKey,
        language_preference: input.language,
        time_zone: input.timeZone,
        key_envelope: await wrapDataKey(dataKey, kek),
        key_params: {
          salt: params.salt,
          memory_kib: params.memory_kib,
          iterations: params.iterations,
          parallelism: params.parallelism,
        },
        ...(input.displayName ? { display_name: input.displayName } : {}),
        ...this.deviceField(),
      },
    });
    await this.signedInWith(pair);
    await this.useDataKey(dataKey);
    return pair;
  }

  /**
   * Signs in and unwraps the data key, if the account has a password envelope. With
   * two-step sign-in on, `askForCode` is called for the authenticator (or a recovery) code.
   */
  async login(
    email: string,
    password: string,
    askForCode?: AskForCode,
    options: { restoreAccount?: boolean } = {},
  ): Promise<TokenPair> {
    const { authKey, kek } = await deriveKeys(password, await this.keyParams(email));
    const answer = await this.send('login', {
      body: {
        email,
        password: authKey,
        ...this.deviceField(),
        ...(options.restoreAccount ? { restore_account: true } : {}),
      },
    });
    let pair: TokenPair;
    if ('mfa_required' in answer) {
      if (!askForCode) throw new Error('two-step sign-in is on: pass askForCode to login()');
      pair = await this.completeMfaLogin(answer.mfa_token, await askForCode());
    } else pair = await this.signedInWith(answer);
    await this.unlockWith(kek);
    return pair;
  }

  /** The second step of a sign-in: the code for the challenge login() received. */
  async completeMfaLogin(
    mfaToken: string,
    code: { code: string } | { recovery_code: string },
  ): Promise<TokenPair> {
    return this.signedInWith(
      await this.send('completeMfaLogin', { body: { mfa_token: mfaToken, ...code } }),
    );
  }

  private async unlockWith(kek: SecretKey): Promise<void> {
    const envelope = (await this.envelopes()).get('password');
    await this.useDataKey(envelope ? await unwrapDataKey(envelope, kek) : undefined);
  }

  /** Unlocks a restored session (its data key was not kept) with the password. */
  async unlock(email: string, password: string): Promise<void> {
    const { kek } = await deriveKeys(password, await this.keyParams(email));
    await this.unlockWith(kek);
  }

  /** A fresh proof before a sensitive operation (export, deletion, email change…). */
  async reauthenticate(email: string, password: string): Promise<void> {
    const { authKey } = await deriveKeys(password, await this.keyParams(email));
    await this.send('reauthenticate', { body: { password: authKey } });
  }

  /** Exchanges the refresh token now (calls do it by themselves when the token expires). */
  async refreshTokens(): Promise<void> {
    await this.transport.refresh();
  }

  /** Ends this session on the server and forgets it here, keys included. */
  async logout(): Promise<void> {
    const session = this.transport.current;
    try {
      if (session) await this.send('logout', { body: { refresh_token: session.refresh_token } });
    } finally {
      this.dataKey = undefined;
      this.dataKeyName = undefined;
      await this.transport.save(undefined);
    }
  }

  private async envelopes(): Promise<Map<string, string>> {
    const list = await this.send('getKeyEnvelopes', {});
    return new Map(list.items.map((e) => [e.label, e.envelope]));
  }

  private requireDataKey(): SecretKey {
    if (!this.dataKey) throw new Error('no data key in this session: sign in or unlock() first');
    return this.dataKey;
  }

  /** A new recovery key (show it to the user once); its envelope is stored on the server. */
  async createRecoveryKey(): Promise<string> {
    const recoveryKey = await generateRecoveryKey();
    const envelope = await wrapDataKey(this.requireDataKey(), await recoveryKek(recoveryKey));
    await this.send('putKeyEnvelopes', { body: { envelopes: [{ label: 'recovery', envelope }] } });
    return recoveryKey;
  }

  /** Sets a new password with the emailed token (the data key is then recovered with recover()). */
  async confirmPasswordReset(
    email: string,
    token: string,
    newPassword: string,
  ): Promise<Result<'confirmPasswordReset'>> {
    const { authKey } = await deriveKeys(newPassword, await this.keyParams(email));
    return this.send('confirmPasswordReset', { body: { token, new_password: authKey } });
  }

  /**
   * After a password reset without the old password: unwraps the data key with the recovery
   * key and wraps it under the new password, so earlier journals stay readable.
   */
  async recover(password: string, email: string, recoveryKey: string): Promise<void> {
    const envelope = (await this.envelopes()).get('recovery');
    if (!envelope) throw new Error('this account has no recovery envelope');
    const dataKey = await unwrapDataKey(envelope, await recoveryKek(recoveryKey));
    const { kek } = await deriveKeys(password, await this.keyParams(email));
    await this.send('putKeyEnvelopes', {
      body: { envelopes: [{ label: 'password', envelope: await wrapDataKey(dataKey, kek) }] },
    });
    await this.useDataKey(dataKey);
  }

  /** Starts over with a new data key (journals made under the old one stay unreadable). */
  async startNewDataKey(password: string, email: string): Promise<void> {
    const { kek } = await deriveKeys(password, await this.keyParams(email));
    const dataKey = await generateDataKey();
    await this.send('putKeyEnvelopes', {
      body: { envelopes: [{ label: 'password', envelope: await wrapDataKey(dataKey, kek) }] },
    });
    await this.useDataKey(dataKey);
  }

  /** The new auth key and the data key re-wrapped under the new KEK change in one request. */
  async changePassword(email: string, currentPassword: string, newPassword: string): Promise<void> {
    const dataKey = this.requireDataKey();
    const params = await this.keyParams(email);
    const current = await deriveKeys(currentPassword, params);
    const next = await deriveKeys(newPassword, params);
    await this.send('changePassword', {
      body: {
        current_password: current.authKey,
        new_password: next.authKey,
        key_envelope: await wrapDataKey(dataKey, next.kek),
      },
    });
  }

  /** Registers this device's push token (APNs, FCM) for reminders; needs `device` in the options. */
  async registerPushToken(
    pushToken: string,
    platform?: 'ios' | 'android' | 'web',
  ): Promise<Result<'registerPushToken'>> {
    if (!this.device) throw new Error('pass `device` to the client to register a push token');
    platform ??= this.device.platform === 'other' ? undefined : this.device.platform;
    if (!platform) throw new Error('say which push service the token is for: ios, android or web');
    return this.send('registerPushToken', {
      path: { device_id: this.device.id },
      body: { push_token: pushToken, platform },
    });
  }

  // ── Check-ins ─────────────────────────────────────────────────────────────────────

  /** A check-in's notes as the server must receive them: an id of ours, the text sealed to it. */
  private async sealedNotes(notes: string | undefined): Promise<{ id?: string; notes?: string }> {
    if (notes === undefined) return {};
    const id = await randomId();
    return { id, notes: await encryptText(notes, this.requireDataKey(), 'checkin.notes', id) };
  }

  /** Records a check-in; its notes are encrypted on the device, bound to its id. */
  async createCheckin(input: CheckinInput, idempotencyKey?: string): Promise<Checkin> {
    const { notes, ...fields } = input;
    return this.send(
      'createCheckin',
      { body: { ...fields, ...(await this.sealedNotes(notes)) } },
      idempotencyKey ? { idempotencyKey } : {},
    );
  }

  private async batchItem(input: CheckinInput & { client_id?: string }): Promise<BatchItem> {
    const { notes, client_id, ...fields } = input;
    return {
      ...fields,
      client_id: client_id ?? (await randomId()),
      created_at: input.created_at ?? new Date().toISOString(),
      ...(await this.sealedNotes(notes)),
    };
  }

  /** Records up to 100 check-ins at once (made offline); sending the same batch again creates nothing. */
  async createCheckinBatch(
    items: (CheckinInput & { client_id?: string })[],
  ): Promise<BatchResults> {
    const body = { items: await Promise.all(items.map((item) => this.batchItem(item))) };
    return this.send('createCheckinBatch', { body });
  }

  /** Keeps a check-in made offline (encrypted now) until syncCheckins() sends it. */
  async queueCheckin(input: CheckinInput): Promise<void> {
    await this.outbox.add(await this.batchItem(input));
  }

  /** Check-ins waiting to be sent. */
  async pendingCheckins(): Promise<number> {
    return (await this.outbox.pending()).length;
  }

  /**
   * Sends the check-ins made offline, 100 at a time. Created and duplicate ones leave the
   * queue; rejected ones too (they would be refused again), and are answered for the app.
   */
  async syncCheckins(): Promise<BatchResults['results']> {
    const results: BatchResults['results'] = [];
    for (;;) {
      const items = (await this.outbox.pending()).slice(0, 100);
      if (items.length === 0) return results;
      const answer = await this.send('createCheckinBatch', { body: { items } });
      await this.outbox.remove(new Set(answer.results.map((result) => result.client_id)));
      results.push(...answer.results);
    }
  }

  /** Replaces a check-in's notes (null removes them); encrypted here. */
  async replaceCheckinNotes(
    checkinId: string,
    notes: string | null,
  ): Promise<Result<'replaceCheckinNotes'>> {
    const envelope =
      notes === null
        ? null
        : await encryptText(notes, this.requireDataKey(), 'checkin.notes', checkinId);
    return this.send('replaceCheckinNotes', { path: { id: checkinId }, body: { notes: envelope } });
  }

  /** The text of a check-in's notes (plaintext ones, from before encryption, as they are). */
  async readNotes(
    checkin: Pick<Checkin, 'id' | 'notes' | 'plaintext_fields'>,
  ): Promise<string | null> {
    if (checkin.notes === null || checkin.plaintext_fields.includes('notes')) return checkin.notes;
    return decryptText(checkin.notes, this.requireDataKey(), 'checkin.notes', checkin.id);
  }

  // ── Journals ──────────────────────────────────────────────────────────────────────

  /** The key of a journal: its own (wrapped under the data key), or the data key for older ones. */
  async journalKey(journal: Pick<Journal, 'id' | 'journal_key'>): Promise<SecretKey> {
    const dataKey = this.requireDataKey();
    return journal.journal_key
      ? unwrapJournalKey(journal.journal_key, dataKey, journal.id)
      : dataKey;
  }

  /** The text of a journal's title. */
  async readTitle(
    journal: Pick<Journal, 'id' | 'title' | 'plaintext_fields' | 'journal_key'>,
  ): Promise<string | null> {
    if (journal.title === null || journal.plaintext_fields.includes('title')) return journal.title;
    return decryptText(journal.title, await this.journalKey(journal), 'journal.title', journal.id);
  }

  /** Replaces a journal's title (null removes it), encrypted under the journal's key. */
  async replaceJournalTitle(
    journal: Pick<Journal, 'id' | 'journal_key'>,
    title: string | null,
  ): Promise<Journal> {
    const envelope =
      title === null
        ? null
        : await encryptText(title, await this.journalKey(journal), 'journal.title', journal.id);
    return this.send('replaceJournalTitle', {
      path: { id: journal.id },
      body: { title: envelope },
    });
  }

  /**
   * Encrypts on the device and uploads: a new journal key encrypts the audio and the title
   * (bound to the journal's id, chosen here) and travels wrapped under the data key.
   */
  async uploadJournal(input: RecordingInput, idempotencyKey?: string): Promise<JournalDetail> {
    const dataKey = this.requireDataKey();
    const id = await randomId();
    const journalKey = await generateJournalKey();
    const encrypted = await encryptSegmented(input.audio, journalKey, id);
    const part = async (checkin: RecordingInput['preCheckin']) => {
      if (!checkin) return undefined;
      const { notes, ...fields } = checkin;
      return { ...fields, ...(await this.sealedNotes(notes)) };
    };
    const [pre, post] = [await part(input.preCheckin), await part(input.postCheckin)];
    const metadata = {
      id,
      journal_key: await wrapJournalKey(journalKey, dataKey, id),
      duration_seconds: input.durationSeconds,
      ...(input.title !== undefined
        ? { title: await encryptText(input.title, journalKey, 'journal.title', id) }
        : {}),
      ...(input.recordedAt ? { recorded_at: input.recordedAt.toISOString() } : {}),
      ...(this.dataKeyName ? { data_key_id: this.dataKeyName } : {}),
      encryption: encryptionOf(encrypted),
      audio: audioInfoOf(input),
      ...(pre ? { pre_checkin: pre } : {}),
      ...(post ? { post_checkin: post } : {}),
    };
    const args: FormArgs<'uploadJournal'> = {};
    return this.send('uploadJournal', args, {
      form: uploadForm(metadata, encrypted),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }

  /**
   * Puts a recording's audio back in the current format (segments, under its own key): a
   * recording without a key of its own gets one, and its title is encrypted under it.
   */
  async replaceJournalAudio(
    journal: Pick<JournalDetail, 'id' | 'journal_key' | 'title' | 'plaintext_fields'>,
    audio: Uint8Array,
  ): Promise<Result<'replaceJournalAudio'>> {
    const fresh = journal.journal_key === null;
    const key = fresh ? await generateJournalKey() : await this.journalKey(journal);
    const title = fresh ? await this.readTitle(journal) : null;
    const encrypted = await encryptSegmented(audio, key, journal.id);
    const metadata = {
      encryption: encryptionOf(encrypted),
      ...(fresh
        ? {
            journal_key: await wrapJournalKey(key, this.requireDataKey(), journal.id),
            title:
              title === null ? null : await encryptText(title, key, 'journal.title', journal.id),
          }
        : {}),
    };
    const args: FormArgs<'replaceJournalAudio'> = { path: { id: journal.id } };
    return this.send('replaceJournalAudio', args, {
      form: uploadForm(metadata, encrypted),
    });
  }

  /**
   * A journal's audio as a stream of plaintext, decrypted while it downloads, from plaintext
   * byte `from` on (a seek: only the segments from there are fetched, with HTTP Range).
   * Memory stays at two segments whatever the length. Segmented recordings only.
   */
  async streamJournal(
    id: string,
    options: { from?: number } = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const journal = await this.getJournal({ path: { id } });
    if (journal.encryption.algorithm !== SEGMENTED_ALGORITHM)
      throw new Error('this recording is not segmented: use downloadJournal');
    return decryptedAudio(
      this.audioSource(),
      journal,
      await this.journalKey(journal),
      options.from ?? 0,
    );
  }

  /** Downloads a journal's audio and decrypts it with the journal's key (any format). */
  async downloadJournal(id: string): Promise<Uint8Array> {
    const journal = await this.getJournal({ path: { id } });
    return downloadAudio(this.audioSource(), journal, await this.journalKey(journal));
  }

  private audioSource() {
    return (id: string, fromByte: number) =>
      this.getJournalAudio({
        path: { id },
        ...(fromByte > 0 ? { header: { range: `bytes=${fromByte}-` } } : {}),
      } as RequestArgs<'getJournalAudio'>);
  }

  /**
   * Encrypts what the server still holds in plaintext from before text was encrypted end to
   * end (check-in notes, journal titles) and writes each envelope back. Run once after
   * sign-in; afterwards no plaintext of this account remains on the server.
   */
  async migratePlaintext(): Promise<PlaintextMigration> {
    const done: PlaintextMigration = { notes: 0, titles: 0 };
    // Each write takes its record off the list, so the first page is read until empty.
    for (;;) {
      const page = await this.listPlaintextNotes({ query: { limit: 100 } });
      if (page.items.length === 0) break;
      for (const checkin of page.items) {
        await this.replaceCheckinNotes(checkin.id, checkin.notes);
        done.notes++;
      }
    }
    for (;;) {
      const page = await this.listPlaintextTitles({ query: { limit: 100 } });
      if (page.items.length === 0) break;
      for (const journal of page.items) {
        await this.replaceJournalTitle(journal, journal.title);
        done.titles++;
      }
    }
    return done;
  }

  /**
   * Moves the account's older recordings to the current format: each whole-file recording,
   * and each without a key of its own, is downloaded, decrypted, encrypted again in
   * segments and put back (replaceJournalAudio). Run after migratePlaintext(), in the
   * background; one recording at a time in memory. Answers how many were moved.
   */
  async migrateRecordings(): Promise<number> {
    this.requireDataKey();
    let moved = 0;
    for await (const journal of this.paginate('listJournals', { query: { limit: 100 } })) {
      if (journal.encryption.algorithm === SEGMENTED_ALGORITHM && journal.journal_key) continue;
      await this.replaceJournalAudio(journal, await this.downloadJournal(journal.id));
      moved++;
    }
    return moved;
  }

  // ── Sharing a recording ───────────────────────────────────────────────────────────

  /**
   * Shares a recording with someone who has no account: the server keeps the share, the
   * link carries the journal's key in its fragment (`link`: give it to the recipient only).
   */
  async createShare(
    journal: Pick<Journal, 'id' | 'journal_key'>,
    options: ShareOptions = {},
  ): Promise<{ share: OwnShare; link: string }> {
    if (!journal.journal_key) throw new Error('a recording without a journal key cannot be shared');
    const id = await randomId();
    const share = await this.send('createShare', {
      path: { id: journal.id },
      body: {
        id,
        ...(options.expiresInDays === undefined ? {} : { expires_in_days: options.expiresInDays }),
        ...(options.maxDownloads === undefined ? {} : { max_downloads: options.maxDownloads }),
        ...(options.label === undefined
          ? {}
          : { label: await encryptText(options.label, this.requireDataKey(), 'share.label', id) }),
      },
    });
    return {
      share: await this.openShare(share),
      link: await shareLink(share.url, await this.journalKey(journal)),
    };
  }

  /** A recording's share links, newest first, labels decrypted. */
  async listShares(journalId: string): Promise<OwnShare[]> {
    const { items } = await this.send('listShares', { path: { id: journalId } });
    return Promise.all(items.map((share) => this.openShare(share)));
  }

  /** Revokes a share link: it stops opening at once. */
  async revokeShare(journalId: string, shareId: string): Promise<OwnShare> {
    return this.openShare(await this.send('revokeShare', { path: { id: journalId, shareId } }));
  }

  private async openShare(share: Share): Promise<OwnShare> {
    const label =
      share.label === null
        ? null
        : await decryptText(share.label, this.requireDataKey(), 'share.label', share.id);
    return { ...share, label };
  }
}
