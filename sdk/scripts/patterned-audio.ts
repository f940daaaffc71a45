/** The plaintext of the segmented-audio test vectors: byte i = (i * 7 + 3) mod 256. */
export const patternedAudio = (length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
