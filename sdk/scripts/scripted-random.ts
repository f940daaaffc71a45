// Primitives whose "random" bytes are given in advance: how test-vectors.json is made and
// checked (an IV, a prefix, a key taken from the vector instead of the random source).
import type { CryptoPrimitives } from '../src/primitives.ts';

export function withScriptedRandom(
  primitives: CryptoPrimitives,
  script: Uint8Array[],
): CryptoPrimitives {
  const queue = [...script];
  return {
    ...primitives,
    randomBytes(length) {
      const next = queue.shift();
      if (!next || next.length !== length)
        throw new Error(
          `the script has no ${length} random bytes next (${next?.length ?? 'none'})`,
        );
      return next;
    },
  };
}
