// Choosing today's affirmation: never one the user saw in the last 30 days; among the
// rest, preferably one written for a feeling they checked in with this past week; then a
// stable pick (the same user and day always get the same one, so a retried job agrees).
import { createHash } from 'node:crypto';
import type { Affirmation } from './texts.ts';

export const AFFIRMATION_REPEAT_DAYS = 30;
export const AFFIRMATION_FEELINGS_DAYS = 7;

export function stableIndex(seed: string, size: number): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % size;
}

export function chooseAffirmation(
  all: Affirmation[],
  seenRecently: Set<string>,
  recentFeelings: Set<string>,
  seed: string,
): Affirmation {
  const fresh = all.filter((a) => !seenRecently.has(a.code));
  const pool = fresh.length > 0 ? fresh : all;
  const matching = pool.filter((a) => a.target_emotions?.some((e) => recentFeelings.has(e)));
  const candidates = matching.length > 0 ? matching : pool;
  const chosen = candidates[stableIndex(seed, candidates.length)];
  if (!chosen) throw new Error('no affirmation to choose from');
  return chosen;
}
