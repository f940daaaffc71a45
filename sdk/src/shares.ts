// Share links (docs/encryption.md, sharing): `<url>#<journal key, base64url>`. The fragment
// is never sent by a browser, so the server that serves the page never learns the key.
import { fromBase64, importKey, toBase64 } from './crypto.ts';
import { primitives, type SecretKey } from './primitives.ts';

const base64url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The link to hand to the recipient: the share's url and the journal key in the fragment. */
export async function shareLink(url: string, journalKey: SecretKey): Promise<string> {
  return `${url}#${base64url(await (await primitives()).exportKey(journalKey))}`;
}

/** The journal key of a share link (what the share page does), or null if it has none. */
export async function keyOfShareLink(link: string): Promise<SecretKey | null> {
  const fragment = new URL(link).hash.slice(1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(fragment)) return null;
  return importKey(fromBase64(fragment));
}
