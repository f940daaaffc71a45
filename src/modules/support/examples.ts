// Examples of GET /v1/support/resources for the OpenAPI document: Lucía in Mexico City
// (Spanish) and Emma in Madrid (English), as content/support/resources.json answers them.
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type { SupportResourcesDto } from './schemas.ts';

export const supportExamples: Examples<SupportResourcesDto> = {
  lucia: {
    summary: 'Mexico, in Spanish (Lucía)',
    value: {
      country: 'MX',
      language: 'es',
      checked_on: '2026-12-02',
      message:
        'Si estás pasando por un momento difícil, no tienes que atravesarlo a solas. Estas líneas te escuchan, sin juzgarte. Si estás en peligro ahora, llama a emergencias.',
      emergency: {
        number: '911',
        other_numbers: [],
        source_url:
          'https://etcetera.com.mx/nacional/implementan-a-nivel-nacional-el-911-como-nuevo-nmero-de-emergencia',
      },
      resources: [
        {
          id: 'mx-linea-de-la-vida',
          name: 'Línea de la Vida',
          phone: '800 911 2000',
          other_phones: [],
          sms: null,
          always_open: true,
          languages: ['es'],
          description:
            'Gratuita, cualquier día y a cualquier hora. Puedes llamar por ti o por alguien que te importa.',
          source_url:
            'https://www.eluniversal.com.mx/nacion/promueven-la-linea-de-la-vida-tras-presentar-encuesta-sobre-consumo-de-drogas-asi-puedes-pedir-ayuda/',
        },
      ],
      countries_covered: ['AR', 'AU', 'CA', 'CL', 'CO', 'ES', 'GB', 'IE', 'MX', 'PE', 'US'],
    },
  },
  emma: {
    summary: 'Spain, in English (Emma)',
    value: {
      country: 'ES',
      language: 'en',
      checked_on: '2026-12-02',
      message:
        "If you're going through a hard time, you don't have to face it alone. These lines will listen, without judging. If you're in danger right now, call emergency services.",
      emergency: {
        number: '112',
        other_numbers: [],
        source_url: 'https://upday.com/es/si-tengo-una-emergencia-llamo-al-112-al-091-o-al-061',
      },
      resources: [
        {
          id: 'es-024',
          name: "024 · Spain's suicide prevention line",
          phone: '024',
          other_phones: [],
          sms: null,
          always_open: true,
          languages: ['es'],
          description:
            'Free and confidential, any day, any time. Also there for family and friends.',
          source_url:
            'https://www.farodevigo.es/galicia/2025/10/11/medio-millar-gallegos-mes-024-linea-suicidio-122499662.html',
        },
      ],
      countries_covered: ['AR', 'AU', 'CA', 'CL', 'CO', 'ES', 'GB', 'IE', 'MX', 'PE', 'US'],
    },
  },
};
