// The session an app keeps between launches, through a storage it provides. The adapter
// has the shape of localStorage and of React Native's AsyncStorage, so either can be
// passed as it is; a Keychain/Keystore wrapper is three lines (README).
//
// The data key is saved only when the app says its storage is a secure one (keepDataKey):
// in localStorage or AsyncStorage it would sit in the clear, so by default a restored
// session can call the API but must be unlocked with the password to read journals.
export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** What is saved (JSON under `storageKey`). */
export interface SavedSession {
  access_token: string;
  refresh_token: string;
  /** When the access token expires (milliseconds since 1970). */
  access_expires_at: number;
  /** Whose session it is (offline check-ins are sent only for their owner). */
  user_id?: string;
  /** The raw data key (base64), only with keepDataKey. */
  data_key?: string;
}

/** A storage that forgets everything when the process ends (the default). */
export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

export function parseSession(text: string | null): SavedSession | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SavedSession>;
    if (
      typeof value.access_token === 'string' &&
      typeof value.refresh_token === 'string' &&
      typeof value.access_expires_at === 'number'
    )
      return value as SavedSession;
  } catch {
    // A damaged entry is no session: the app signs in again.
  }
  return undefined;
}
