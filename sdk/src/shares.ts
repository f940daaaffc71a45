// Share links (docs/encryption.md, sharing): `<url>#<journal key, base64url>`. The fragment
// is never sent by a browser, so the server that serves the page never learns the key.
const subtle = globalThis.crypto.subtle;

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** The link to hand to the recipient: the share's url and the journal key in the fragment. */
export async function shareLink(url: string, journalKey: CryptoKey): Promise<string> {
  const raw = new Uint8Array(await subtle.exportKey('raw', journalKey));
  return `${url}#${base64url(raw)}`;
}

/** The journal key of a share link (what the share page does), or null if it has none. */
export async function keyOfShareLink(link: string): Promise<CryptoKey | null> {
  const fragment = new URL(link).hash.slice(1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(fragment)) return null;
  const text = fragment.replace(/-/g, '+').replace(/_/g, '/') + '=';
  const raw = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, true, ['decrypt']);
}
