// The source of "now". Services ask the clock, never `new Date()`, so tests can put a user
// across a DST change or expire a token without waiting.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
