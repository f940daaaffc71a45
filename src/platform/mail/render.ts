// Builds the plain-text and HTML bodies of a transactional email from its content file
// (content/emails/<name>.json, one entry per language). Every value is escaped.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MailMessage } from './mailer.ts';

export type MailLanguage = 'es' | 'en';

interface EmailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  button?: string;
  footer: string;
}

const CONTENT_DIR = fileURLToPath(new URL('../../../content/emails/', import.meta.url));
const cache = new Map<string, Record<MailLanguage, EmailContent>>();

function load(name: string): Record<MailLanguage, EmailContent> {
  let content = cache.get(name);
  if (!content) {
    content = JSON.parse(readFileSync(`${CONTENT_DIR}${name}.json`, 'utf8')) as Record<
      MailLanguage,
      EmailContent
    >;
    cache.set(name, content);
  }
  return content;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');

export function renderEmail(
  name: string,
  language: MailLanguage,
  to: string,
  values: {
    name?: string | null | undefined;
    link?: string;
    [key: string]: string | null | undefined;
  },
): MailMessage {
  const content = load(name)[language];
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value) vars[key] = value;
  vars.name = values.name ? ` ${values.name}` : '';
  const paragraphs = content.paragraphs.map((p) => fill(p, vars));
  const greeting = fill(content.greeting, vars);
  const footer = fill(content.footer, vars);
  const link = values.link;
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...(link && content.button ? [`${content.button}: ${link}`, ''] : []),
    footer,
  ].join('\n');
  const button =
    link && content.button
      ? `<p style="margin:28px 0"><a href="${escapeHtml(link)}" style="background:#5b4bb7;color:#ffffff;padding:12px 22px;border-radius:22px;text-decoration:none;font-weight:600">${escapeHtml(content.button)}</a></p>`
      : '';
  const html = `<!doctype html>
<html lang="${language}"><body style="margin:0;padding:24px;background:#f6f4fb;font-family:-apple-system,Segoe UI,Roboto,sans-serif;color:#2d2a3e">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:16px;padding:32px">
<p style="font-size:18px">${escapeHtml(greeting)}</p>
${paragraphs.map((p) => `<p style="line-height:1.55">${escapeHtml(p)}</p>`).join('\n')}
${button}
<p style="color:#6f6a86;font-size:13px;line-height:1.5">${escapeHtml(footer)}</p>
</div></body></html>`;
  return { to, subject: fill(content.subject, vars), text, html, ...(link ? { link } : {}) };
}

/** "25 de noviembre de 2026 a las 9:05 (America/Bogota)": the recipient's language and time zone. */
export function localTime(at: Date | string, language: 'es' | 'en', timeZone: string): string {
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) return String(at);
  const text = new Intl.DateTimeFormat(language === 'es' ? 'es-ES' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone,
  }).format(when);
  return `${text} (${timeZone})`;
}
