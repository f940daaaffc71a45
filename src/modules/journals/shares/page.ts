// The share page (`/s/<share id>#<key>`) and its two assets, from content/share-page/: a
// small HTML shell in the recipient's language (es/en from Accept-Language) whose script
// does all the work in the browser. Read once at start-up.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Negotiator from 'negotiator';
import { Type } from 'typebox';
import { CONTENT_DIR, checkContent } from '../../../platform/content.ts';

const FOLDER = path.join(CONTENT_DIR, 'share-page');
const LANGUAGES = ['es', 'en'] as const;
type PageLanguage = (typeof LANGUAGES)[number];

const STRING_KEYS = [
  'page_title',
  'loading_heading',
  'loading_message',
  'ready_heading_untitled',
  'ready_message',
  'recorded',
  'save',
  'expired_heading',
  'expired_message',
  'revoked_heading',
  'revoked_message',
  'exhausted_heading',
  'exhausted_message',
  'not_found_heading',
  'not_found_message',
  'missing_key_heading',
  'missing_key_message',
  'wrong_key_heading',
  'wrong_key_message',
  'error_heading',
  'error_message',
  'privacy',
  'noscript',
] as const;

const Strings = Type.Object(
  Object.fromEntries(STRING_KEYS.map((key) => [key, Type.String({ minLength: 1 })])),
  { additionalProperties: false },
);
const PageStrings = Type.Object({ es: Strings, en: Strings }, { additionalProperties: false });
type Strings = Record<(typeof STRING_KEYS)[number], string>;

/**
 * Only this file's script, this origin's API and the decrypted audio as a blob: no inline
 * script, no third party, no framing, no form, no referrer.
 */
export const SHARE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'media-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface SharePage {
  /** The page in the language the browser prefers (Spanish when it says nothing). */
  html(acceptLanguage: string | undefined): string;
  script: string;
  stylesheet: string;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** JSON inside <script type="application/json">: `<` escaped so nothing can close the tag. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function languageOf(acceptLanguage: string | undefined): PageLanguage {
  const [best] = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).languages([
    ...LANGUAGES,
  ]);
  return best === 'en' ? 'en' : 'es';
}

function render(lang: PageLanguage, s: Strings): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(s.page_title)}</title>
<link rel="stylesheet" href="assets/share.css">
<script type="application/json" id="strings">${scriptJson(s)}</script>
<script src="assets/share.js" defer></script>
</head>
<body data-state="loading">
<main>
<p class="brand">Amira</p>
<h1 id="heading">${escapeHtml(s.loading_heading)}</h1>
<p id="message">${escapeHtml(s.loading_message)}</p>
<section id="player" hidden>
<p id="recorded" class="meta"></p>
<audio id="audio" controls preload="metadata"></audio>
<p><a id="save" href="#">${escapeHtml(s.save)}</a></p>
</section>
<noscript><p>${escapeHtml(s.noscript)}</p></noscript>
<p class="privacy">${escapeHtml(s.privacy)}</p>
</main>
</body>
</html>
`;
}

export async function loadSharePage(): Promise<SharePage> {
  const [strings, script, stylesheet] = await Promise.all([
    readFile(path.join(FOLDER, 'strings.json'), 'utf8'),
    readFile(path.join(FOLDER, 'share.js'), 'utf8'),
    readFile(path.join(FOLDER, 'share.css'), 'utf8'),
  ]);
  const texts = checkContent(PageStrings, JSON.parse(strings), 'share-page/strings.json') as Record<
    PageLanguage,
    Strings
  >;
  const pages = { es: render('es', texts.es), en: render('en', texts.en) };
  return { html: (accept) => pages[languageOf(accept)], script, stylesheet };
}
