// Examples of /v1/emotions for the OpenAPI document (checked against their schemas by the
// compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import type { Static } from 'typebox';
import { exampleIds, textEnvelopes } from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type {
  BatchBody,
  BatchResultDto,
  CheckinDto,
  CreateCheckinInput,
  EmotionTypeDto,
  FilterInput,
  InsightsDto,
  NotesBody,
  PatternsBody,
  RecommendationsBody,
  RecommendationsDto,
  TrendsDto,
  TrendsInput,
} from './schemas.ts';

// Emotion type ids of the seeded catalog (content/emotions.json, in order).
const CALM = 2;
const GRATITUDE = 3;
const ANXIETY = 14;
const OVERWHELM = 18;

export const luciaCheckin: CheckinDto = {
  id: exampleIds.luciaCheckin,
  emotion_type_id: ANXIETY,
  intensity: 7,
  context: 'daily_checkin',
  notes: textEnvelopes.luciaNote,
  plaintext_fields: [],
  related_journal_id: null,
  related_tool_id: null,
  client_id: null,
  created_at: '2026-03-09T14:05:00.000Z',
  local_date: '2026-03-09',
};

export const emmaCheckin: CheckinDto = {
  id: exampleIds.emmaCheckin,
  emotion_type_id: GRATITUDE,
  intensity: 6,
  context: 'standalone',
  notes: textEnvelopes.emmaNote,
  plaintext_fields: [],
  related_journal_id: null,
  related_tool_id: null,
  client_id: null,
  created_at: '2026-03-09T21:40:00.000Z',
  local_date: '2026-03-09',
};

export const checkinExamples: Examples<CheckinDto> = {
  lucia: {
    summary: 'Lucía, anxious before work (notes encrypted on her phone)',
    value: luciaCheckin,
  },
  emma: { summary: 'Emma, grateful in the evening', value: emmaCheckin },
};

export const createCheckinExamples: Examples<CreateCheckinInput> = {
  lucia: {
    summary: 'Lucía, with notes: the id is chosen on the device, which binds the envelope to it',
    value: {
      id: exampleIds.luciaCheckin,
      emotion_type_id: ANXIETY,
      intensity: 7,
      context: 'daily_checkin',
      notes: textEnvelopes.luciaNote,
    },
  },
  emma: {
    summary: 'Emma, without notes',
    value: { emotion_type_id: GRATITUDE, intensity: 6, context: 'standalone' },
  },
};

export const checkinPageExamples: Examples<{ items: CheckinDto[]; next_cursor: string | null }> = {
  lucia: {
    summary: 'The first page of Lucía’s check-ins, with more to come',
    value: { items: [luciaCheckin], next_cursor: 'eyJ0IjoiMjAyNi0wMy0wOVQxNDowNTowMC4wMDBaIn0' },
  },
  last: { summary: 'The last page', value: { items: [emmaCheckin], next_cursor: null } },
};

export const emotionTypeListExamples: Examples<{ items: EmotionTypeDto[] }> = {
  catalog: {
    summary: 'Two emotions of the catalog (it has 19)',
    value: {
      items: [
        {
          id: CALM,
          code: 'calm',
          name: { es: 'Calma', en: 'Calm' },
          description: {
            es: 'Sentir que no hay prisa. La respiración va más lenta y hay espacio para simplemente estar.',
            en: "Feeling that there's no rush. Your breath slows down and there's room to simply be.",
          },
          category: 'positive',
          valence: 0.6,
          arousal: 0.15,
          color: '#8CCBB8',
        },
        {
          id: ANXIETY,
          code: 'anxiety',
          name: { es: 'Ansiedad', en: 'Anxiety' },
          description: {
            es: 'La mente se adelanta a lo que podría salir mal y el cuerpo se pone en alerta: el corazón rápido, la respiración corta.',
            en: 'Your mind races ahead to what might go wrong and your body goes on alert: a quick heartbeat, shallow breath.',
          },
          category: 'negative',
          valence: -0.6,
          arousal: 0.8,
          color: '#B59DD0',
        },
      ],
    },
  },
};

export const notesExamples: Examples<Static<typeof NotesBody>> = {
  encrypted: {
    summary: 'Notes re-encrypted on the device (after GET /v1/emotions/plaintext-notes)',
    value: { notes: textEnvelopes.luciaNote },
  },
  removed: { summary: 'Remove the notes', value: { notes: null } },
};

export const batchExamples: Examples<Static<typeof BatchBody>> = {
  offline: {
    summary: 'Two check-ins Lucía made on the metro, without signal',
    value: {
      items: [
        {
          client_id: 'lucia-iphone:1041',
          emotion_type_id: OVERWHELM,
          intensity: 8,
          context: 'standalone',
          created_at: '2026-03-09T13:20:00.000Z',
        },
        {
          client_id: 'lucia-iphone:1042',
          emotion_type_id: CALM,
          intensity: 5,
          context: 'post_tool',
          related_tool_id: exampleIds.boxBreathing,
          created_at: '2026-03-09T13:31:00.000Z',
        },
      ],
    },
  },
};

export const batchResultExamples: Examples<BatchResultDto> = {
  offline: {
    summary: 'One created, one already synced by an earlier attempt',
    value: {
      results: [
        {
          client_id: 'lucia-iphone:1041',
          status: 'created',
          id: exampleIds.luciaCheckin,
          error: null,
        },
        {
          client_id: 'lucia-iphone:1042',
          status: 'duplicate',
          id: exampleIds.luciaPostCheckin,
          error: null,
        },
      ],
    },
  },
};

export const filterExamples: Examples<FilterInput> = {
  anxiousMornings: {
    summary: 'Lucía’s anxious or overwhelmed days of March, intense ones only',
    value: {
      from: '2026-03-01',
      to: '2026-03-31',
      emotion_type_ids: [ANXIETY, OVERWHELM],
      intensity_min: 6,
      limit: 20,
    },
  },
};

export const trendsExamples: Examples<TrendsInput> = {
  weeks: {
    summary: 'Weekly buckets of the first quarter',
    value: { period: 'week', from: '2026-01-05', to: '2026-03-29' },
  },
};

export const trendsResultExamples: Examples<TrendsDto> = {
  improving: {
    summary: 'Two weeks of Emma’s, getting better',
    value: {
      period: 'week',
      from: '2026-03-02',
      to: '2026-03-15',
      buckets: [
        {
          start: '2026-03-02',
          count: 6,
          mean_intensity: 6.2,
          mean_valence: -0.18,
          dominant_emotion_type_id: ANXIETY,
        },
        {
          start: '2026-03-09',
          count: 8,
          mean_intensity: 5.4,
          mean_valence: 0.31,
          dominant_emotion_type_id: GRATITUDE,
        },
      ],
      direction: {
        label: 'improving',
        slope_per_day: 0.035,
        confidence: 0.72,
        sample_size: 14,
        days_with_data: 11,
      },
    },
  },
};

export const patternsExamples: Examples<Static<typeof PatternsBody>> = {
  month: { summary: 'Patterns of March', value: { from: '2026-03-01', to: '2026-03-31' } },
};

export const recommendationsExamples: Examples<Static<typeof RecommendationsBody>> = {
  anxious: {
    summary: 'Lucía feels anxious (7 of 10)',
    value: { emotion_type_id: ANXIETY, intensity: 7, limit: 3 },
  },
};

export const recommendationsResultExamples: Examples<RecommendationsDto> = {
  anxious: {
    summary: 'Tools for anxiety, in Lucía’s language',
    value: {
      items: [
        {
          tool_id: exampleIds.boxBreathing,
          name: 'Respiración cuadrada',
          category: 'breathing',
          estimated_duration_seconds: 128,
          score: 0.91,
          reason: 'Te ayudó las últimas 3 veces que sentiste ansiedad',
        },
        {
          tool_id: exampleIds.grounding,
          name: 'Técnica 5-4-3-2-1',
          category: 'grounding',
          estimated_duration_seconds: 165,
          score: 0.77,
          reason: 'Pensada para momentos de ansiedad',
        },
      ],
      unavailable_reason: null,
    },
  },
};

export const insightsExamples: Examples<InsightsDto> = {
  emma: {
    summary: 'Emma’s insights, in English',
    value: {
      language: 'en',
      items: [
        {
          type: 'time_of_day',
          message: 'Your evenings tend to feel calmer than your mornings.',
          data: { calmer: 'evening', harder: 'morning' },
          confidence: 0.68,
        },
      ],
    },
  },
};
