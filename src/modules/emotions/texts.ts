// The sentences analytics speak to users (content/insights.json), in Spanish and English.
import { Type, type Static } from 'typebox';
import { readContent } from '../../platform/content.ts';

const Bilingual = Type.Object({
  es: Type.String({ minLength: 1 }),
  en: Type.String({ minLength: 1 }),
});
const Parts = Type.Object({
  night: Type.String(),
  morning: Type.String(),
  afternoon: Type.String(),
  evening: Type.String(),
});

const InsightsFile = Type.Object({
  parts_of_day: Type.Object({ es: Parts, en: Parts }),
  insights: Type.Object({
    dominant_emotion: Bilingual,
    time_of_day: Bilingual,
    trend_improving: Bilingual,
    trend_declining: Bilingual,
    helpful_tool: Bilingual,
    journaling_shift: Bilingual,
  }),
  recommendation_reasons: Type.Object({
    personal: Bilingual,
    match: Bilingual,
    favorite: Bilingual,
    intense: Bilingual,
    gentle: Bilingual,
  }),
});

export interface AnalyticsTexts {
  partsOfDay: Static<typeof InsightsFile>['parts_of_day'];
  insights: Static<typeof InsightsFile>['insights'];
  reasons: Static<typeof InsightsFile>['recommendation_reasons'];
}

export async function loadAnalyticsTexts(): Promise<AnalyticsTexts> {
  const file = await readContent(InsightsFile, 'insights.json');
  return {
    partsOfDay: file.parts_of_day,
    insights: file.insights,
    reasons: file.recommendation_reasons,
  };
}

export { fillTemplate } from '../../platform/content.ts';
