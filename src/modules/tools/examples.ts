// Examples of /v1/tools and the content management for the OpenAPI document (checked against
// their schemas by the compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import type { Static } from 'typebox';
import { exampleIds } from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type {
  CategoryDto,
  ToolDetailDto,
  ToolSummaryDto,
  UsageDto,
  UsageInput,
} from './schemas.ts';
import type { CategoryDefinition, ToolDefinition } from './content-schemas.ts';

// Emotion type ids of the seeded catalog (content/emotions.json, in order).
const ANXIETY = 14;
const FEAR = 15;
const ANGER = 16;
const OVERWHELM = 18;

const breathingEs: CategoryDto = {
  id: 1,
  code: 'breathing',
  icon: 'wind',
  name: 'Respiración',
  description:
    'Ejercicios para cambiar el ritmo de tu respiración y, con él, la forma en que se siente tu cuerpo.',
  language: 'es',
};

const breathingEn: CategoryDto = {
  ...breathingEs,
  name: 'Breathing',
  description:
    'Exercises to change the rhythm of your breath and, with it, the way your body feels.',
  language: 'en',
};

export const categoryListExamples: Examples<{ items: CategoryDto[] }> = {
  lucia: { summary: 'In Spanish (Lucía)', value: { items: [breathingEs] } },
  emma: { summary: 'In English (Emma)', value: { items: [breathingEn] } },
};

const boxBreathingSummaryEs: ToolSummaryDto = {
  id: exampleIds.boxBreathing,
  code: 'box-breathing',
  category_id: 1,
  category_code: 'breathing',
  content_type: 'breathing_pattern',
  difficulty: 'beginner',
  estimated_duration_seconds: 128,
  target_emotion_ids: [ANXIETY, FEAR, ANGER, OVERWHELM],
  name: 'Respiración cuadrada',
  description:
    'Inhala, sostén, exhala y sostén, cuatro segundos cada vez. Un ritmo parejo que ayuda a bajar la velocidad cuando todo va demasiado rápido.',
  language: 'es',
};

const boxBreathingSummaryEn: ToolSummaryDto = {
  ...boxBreathingSummaryEs,
  name: 'Box breathing',
  description:
    'Breathe in, hold, breathe out and hold, four seconds each. An even rhythm that helps you slow down when everything feels too fast.',
  language: 'en',
};

export const toolPageExamples: Examples<{ items: ToolSummaryDto[]; next_cursor: string | null }> = {
  emma: {
    summary: 'Emma’s search for “breathing”, the last page',
    value: { items: [boxBreathingSummaryEn], next_cursor: null },
  },
};

export const categoryToolsExamples: Examples<{
  category: CategoryDto;
  items: ToolSummaryDto[];
  next_cursor: string | null;
}> = {
  lucia: {
    summary: 'The breathing tools, in Spanish, with more to come',
    value: {
      category: breathingEs,
      items: [boxBreathingSummaryEs],
      next_cursor: 'eyJzIjoiYm94LWJyZWF0aGluZyJ9',
    },
  },
};

export const toolExamples: Examples<ToolDetailDto> = {
  lucia: {
    summary: 'Box breathing, in Spanish, one of Lucía’s favorites',
    value: {
      ...boxBreathingSummaryEs,
      content: {
        inhale_seconds: 4,
        hold_after_inhale_seconds: 4,
        exhale_seconds: 4,
        hold_after_exhale_seconds: 4,
        cycles: 8,
        instructions: [
          'Siéntate o quédate de pie con la espalda recta pero sin rigidez, y deja caer los hombros.',
          'Inhala por la nariz contando despacio hasta cuatro.',
          'Sostén el aire con suavidad mientras cuentas hasta cuatro, sin apretar la garganta.',
          'Exhala durante cuatro tiempos, por la boca o por la nariz, vaciando los pulmones sin forzar.',
        ],
      },
      is_favorite: true,
    },
  },
  emma: {
    summary: 'Box breathing, in English',
    value: {
      ...boxBreathingSummaryEn,
      content: {
        inhale_seconds: 4,
        hold_after_inhale_seconds: 4,
        exhale_seconds: 4,
        hold_after_exhale_seconds: 4,
        cycles: 8,
        instructions: [
          'Sit or stand with your back straight but not stiff, and let your shoulders drop.',
          'Breathe in through your nose, counting slowly to four.',
          'Gently hold your breath for a count of four, without tightening your throat.',
          'Breathe out for four counts, through your mouth or nose, emptying your lungs without forcing.',
        ],
      },
      is_favorite: false,
    },
  },
};

export const usageExamples: Examples<UsageInput> = {
  completed: {
    summary: 'Lucía did box breathing to the end',
    value: {
      started_at: '2026-03-09T13:29:00.000Z',
      completed_at: '2026-03-09T13:31:08.000Z',
      duration_seconds: 128,
      completion_status: 'completed',
    },
  },
  partial: {
    summary: 'Emma stopped halfway',
    value: {
      started_at: '2026-03-09T21:10:00.000Z',
      duration_seconds: 61,
      completion_status: 'partial',
    },
  },
};

const luciaUsage: UsageDto = {
  id: 'd6e2a8f1-3b7c-4e95-8a1d-0f4c7b2e9a63',
  tool_id: exampleIds.boxBreathing,
  started_at: '2026-03-09T13:29:00.000Z',
  completed_at: '2026-03-09T13:31:08.000Z',
  duration_seconds: 128,
  completion_status: 'completed',
  created_at: '2026-03-09T13:31:09.000Z',
};

export const usageResultExamples: Examples<UsageDto> = {
  completed: { summary: 'Recorded', value: luciaUsage },
};

export const toolDefinitionExamples: Examples<ToolDefinition> = {
  sigh: {
    summary: 'A short breathing tool in both languages',
    value: {
      code: 'physiological-sigh',
      category: 'breathing',
      content_type: 'guided_steps',
      difficulty: 'beginner',
      estimated_duration_seconds: 60,
      target_emotions: ['anxiety', 'overwhelm'],
      is_active: true,
      translations: {
        es: {
          name: 'Suspiro fisiológico',
          description: 'Dos inhalaciones seguidas y una exhalación larga para bajar el ritmo.',
          content: {
            steps: [
              { instruction: 'Inhala por la nariz hasta llenar los pulmones.', seconds: 3 },
              { instruction: 'Toma un poco más de aire, sin soltar el primero.', seconds: 1 },
              { instruction: 'Exhala despacio por la boca, hasta vaciarte.', seconds: 6 },
            ],
          },
        },
        en: {
          name: 'Physiological sigh',
          description: 'Two inhales in a row and one long exhale to slow things down.',
          content: {
            steps: [
              {
                instruction: 'Breathe in through your nose until your lungs are full.',
                seconds: 3,
              },
              {
                instruction: 'Take in a little more air, without letting the first go.',
                seconds: 1,
              },
              { instruction: 'Breathe out slowly through your mouth, all the way.', seconds: 6 },
            ],
          },
        },
      },
    },
  },
};

export const categoryDefinitionExamples: Examples<Static<typeof CategoryDefinition>> = {
  sleep: {
    summary: 'A new category',
    value: {
      code: 'sleep',
      icon: 'moon',
      sort_order: 7,
      name: { es: 'Descanso', en: 'Rest' },
      description: {
        es: 'Prácticas suaves para soltar el día y prepararte para dormir.',
        en: 'Gentle practices to let go of the day and get ready to sleep.',
      },
    },
  },
};
