// The share page's script (docs/encryption.md, sharing). It reads the journal key from the
// link's fragment (browsers never send it), asks the API what the share holds, opens the
// title, downloads the ciphertext once and decrypts it here with WebCrypto; the server never
// sees the key or the audio in the clear. Plain JavaScript, no dependencies, served under a
// CSP that allows this file and same-origin requests only.
'use strict';

const SEGMENT_SIZE = 65536;
const SEALED_SEGMENT_SIZE = SEGMENT_SIZE + 16;
const SEGMENTED = 'AES-256-GCM-STREAM';
const MIME = {
  aac: 'audio/aac',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  webm: 'audio/webm',
  flac: 'audio/flac',
};

const subtle = window.crypto.subtle;
const encoder = new TextEncoder();
const strings = JSON.parse(document.getElementById('strings').textContent);
const lang = document.documentElement.lang;

/** Thrown when the link's key does not open what the server sent. */
class WrongKey extends Error {}

function show(state, heading, message) {
  document.body.dataset.state = state;
  document.getElementById('heading').textContent = heading ?? strings[`${state}_heading`];
  document.getElementById('message').textContent = message ?? strings[`${state}_message`];
}

function fromBase64(text, url) {
  const plain = url ? text.replace(/-/g, '+').replace(/_/g, '/') : text;
  const binary = atob(plain + '='.repeat((4 - (plain.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The key from `#<base64url of 32 bytes>`, or null if the fragment is missing or cut. */
function keyFromFragment() {
  const text = window.location.hash.slice(1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  return fromBase64(text, true);
}

/** The problem document's type, as a page state: share-expired → expired. */
async function refusal(response) {
  const problem = await response.json().catch(() => ({}));
  const code = String(problem.type ?? '')
    .split('/')
    .pop();
  if (response.status === 404) return 'not_found';
  return (
    { 'share-expired': 'expired', 'share-revoked': 'revoked', 'share-exhausted': 'exhausted' }[
      code
    ] ?? 'error'
  );
}

async function decrypt(key, iv, data, aad) {
  const params = aad ? { name: 'AES-GCM', iv, additionalData: aad } : { name: 'AES-GCM', iv };
  try {
    return new Uint8Array(await subtle.decrypt(params, key, data));
  } catch {
    throw new WrongKey();
  }
}

/** A text envelope: version 1 ‖ IV (12) ‖ AES-GCM, AAD "amira:text:v1:journal.title:<id>". */
async function openTitle(envelope, journalKey, journalId) {
  const bytes = fromBase64(envelope, false);
  if (bytes[0] !== 1) throw new WrongKey();
  const aad = encoder.encode(`amira:text:v1:journal.title:${journalId.toLowerCase()}`);
  const plain = await decrypt(journalKey, bytes.slice(1, 13), bytes.slice(13), aad);
  return new TextDecoder().decode(plain);
}

/** The STREAM construction: 64 KiB segments, nonce = prefix (7) ‖ index (u32 BE) ‖ last. */
async function openSegments(ciphertext, rawKey, prefix, journalId) {
  const material = await subtle.importKey('raw', rawKey, 'HKDF', false, ['deriveKey']);
  const audioKey = await subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: encoder.encode('amira:audio:v2'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['decrypt'],
  );
  const aad = encoder.encode(`amira:audio:v2:${journalId.toLowerCase()}`);
  const count = Math.max(1, Math.ceil(ciphertext.length / SEALED_SEGMENT_SIZE));
  const plain = new Uint8Array(Math.max(0, ciphertext.length - count * 16));
  for (let i = 0; i < count; i++) {
    const nonce = new Uint8Array(12);
    nonce.set(prefix, 0);
    new DataView(nonce.buffer).setUint32(7, i, false);
    nonce[11] = i === count - 1 ? 1 : 0;
    const sealed = ciphertext.subarray(i * SEALED_SEGMENT_SIZE, (i + 1) * SEALED_SEGMENT_SIZE);
    plain.set(await decrypt(audioKey, nonce, sealed, aad), i * SEGMENT_SIZE);
  }
  return plain;
}

const hex = (buffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

function describe(info) {
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(
    new Date(info.recorded_at),
  );
  const seconds = info.duration_seconds;
  const duration = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return strings.recorded.replace('{date}', date).replace('{duration}', duration);
}

async function open() {
  const rawKey = keyFromFragment();
  if (!rawKey) return show('missing_key');
  const shareId = window.location.pathname.split('/').filter(Boolean).pop();
  const api = `../v1/shares/${encodeURIComponent(shareId)}`;
  const asked = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };
  const described = await fetch(api, { ...asked, headers: { accept: 'application/json' } });
  if (!described.ok) return show(await refusal(described));
  const info = await described.json();
  const journalKey = await subtle.importKey('raw', rawKey, 'AES-GCM', false, ['decrypt']);
  // The title first: a wrong key shows here, before a download is spent.
  const title = info.title ? await openTitle(info.title, journalKey, info.journal_id) : null;
  const download = await fetch(`${api}/audio`, asked);
  if (!download.ok) return show(await refusal(download));
  const ciphertext = new Uint8Array(await download.arrayBuffer());
  const iv = fromBase64(info.encryption.iv, false);
  const audio =
    info.encryption.algorithm === SEGMENTED
      ? await openSegments(ciphertext, rawKey, iv, info.journal_id)
      : await decrypt(journalKey, iv, ciphertext);
  // For the browser test: what was decrypted, without reading the audio back.
  document.body.dataset.sha256 = hex(await subtle.digest('SHA-256', audio));
  const url = URL.createObjectURL(
    new Blob([audio], { type: MIME[info.audio.format] ?? 'application/octet-stream' }),
  );
  document.getElementById('audio').src = url;
  const save = document.getElementById('save');
  save.href = url;
  save.download = `amira-${info.recorded_at.slice(0, 10)}.${info.audio.format}`;
  document.getElementById('recorded').textContent = describe(info);
  document.getElementById('player').hidden = false;
  show('ready', title ?? strings.ready_heading_untitled);
}

open().catch((error) => show(error instanceof WrongKey ? 'wrong_key' : 'error'));
