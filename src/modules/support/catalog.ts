// The support resources (crisis lines and emergency numbers by country), read once from
// content/support/resources.json. Each answer (country × language) is built once, with
// its ETag, and kept: the route only looks it up.
import { createHash } from 'node:crypto';
import { readContent } from '../../platform/content.ts';
import type { Language } from '../auth/index.ts';
import { SupportContent, type SupportResourcesDto } from './schemas.ts';

// The sentence above the numbers: plain and warm, the same whatever brought the person here.
const MESSAGE: Record<Language, { covered: string; uncovered: string }> = {
  es: {
    covered:
      'Si estás pasando por un momento difícil, no tienes que atravesarlo a solas. Estas líneas te escuchan, sin juzgarte. Si estás en peligro ahora, llama a emergencias.',
    uncovered:
      'Todavía no tenemos números comprobados para tu país. Si estás en peligro ahora, llama al número de emergencias de donde estés; también puedes hablar con alguien de confianza.',
  },
  en: {
    covered:
      "If you're going through a hard time, you don't have to face it alone. These lines will listen, without judging. If you're in danger right now, call emergency services.",
    uncovered:
      "We don't have checked numbers for your country yet. If you're in danger right now, call the local emergency number; you can also reach out to someone you trust.",
  },
};

export interface SupportCatalog {
  answer(country: string, language: Language): { body: SupportResourcesDto; etag: string };
}

export async function loadSupportCatalog(): Promise<SupportCatalog> {
  const content = await readContent(SupportContent, 'support/resources.json');
  const covered = Object.keys(content.countries).sort();
  const etagOf = (body: SupportResourcesDto) =>
    `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  const answers = new Map<string, { body: SupportResourcesDto; etag: string }>();
  return {
    answer(country, language) {
      const known = answers.get(`${country}:${language}`);
      if (known) return known;
      const entry = content.countries[country];
      const body: SupportResourcesDto = {
        country,
        language,
        checked_on: content.checked_on,
        message: MESSAGE[language][entry ? 'covered' : 'uncovered'],
        emergency: entry
          ? {
              number: entry.emergency.number,
              other_numbers: entry.emergency.other_numbers ?? [],
              source_url: entry.emergency.source_url,
            }
          : null,
        resources: (entry?.resources ?? []).map((resource) => ({
          id: resource.id,
          name: resource.name[language],
          phone: resource.phone,
          other_phones: resource.other_phones ?? [],
          sms: resource.sms,
          always_open: resource.always_open,
          languages: resource.languages,
          description: resource.description[language],
          source_url: resource.source_url,
        })),
        countries_covered: covered,
      };
      const answer = { body, etag: etagOf(body) };
      // Only countries of the file are kept: any other code gets the same built-per-call answer.
      if (entry) answers.set(`${country}:${language}`, answer);
      return answer;
    },
  };
}
