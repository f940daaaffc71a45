// What the server can verify about an encrypted recording without any key: it streams the
// bytes through this transform on their way to storage, computing their SHA-256, counting
// them against the size and quota limits, and keeping just enough to tell ciphertext from
// plaintext audio (the first bytes, and a byte histogram of the first MiB).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** AES-GCM appends a 16-byte tag: shorter than 17 bytes cannot hold any audio at all. */
export const MIN_CIPHERTEXT_BYTES = 17;
const PREFIX_BYTES = 8192;
const HISTOGRAM_BYTES = 1024 * 1024;
/** Below this many bytes an entropy estimate says nothing; only the headers are checked. */
const MIN_ENTROPY_SAMPLE = 1024;

export class LimitExceeded extends Error {
  override name = 'LimitExceeded';
  readonly limit: 'size' | 'quota';
  constructor(limit: 'size' | 'quota') {
    super(`upload exceeds the ${limit} limit`);
    this.limit = limit;
  }
}

/** The room an upload holds in its owner's storage quota (see quota.ts). */
export interface QuotaAllowance {
  /** Whether `total` bytes are covered as things stand (no database needed). */
  covers(total: number): boolean;
  /** Makes room for at least `total` bytes; false when the quota has none left. */
  extend(total: number): Promise<boolean>;
}

export interface InspectionResult {
  bytes: number;
  sha256Hex: string;
  /** Why the bytes look like plaintext audio, if they do. */
  plaintext: string | undefined;
  /** Shannon entropy (bits per byte) of the sampled bytes. */
  entropy: number;
  sampledBytes: number;
}

export class CiphertextInspector extends Transform {
  private readonly hash = createHash('sha256');
  private readonly histogram = new Uint32Array(256);
  private readonly prefix: Buffer[] = [];
  private prefixLength = 0;
  private sampled = 0;
  private total = 0;
  private readonly maxBytes: number;
  private readonly quota: QuotaAllowance;

  constructor(limits: { maxBytes: number; quota: QuotaAllowance }) {
    super();
    this.maxBytes = limits.maxBytes;
    this.quota = limits.quota;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.maxBytes) return callback(new LimitExceeded('size'));
    if (this.quota.covers(this.total)) return this.accept(chunk, callback);
    // Past the room held: ask for more before taking these bytes (the stream waits).
    this.quota.extend(this.total).then(
      (granted) => (granted ? this.accept(chunk, callback) : callback(new LimitExceeded('quota'))),
      (error: unknown) => callback(error as Error),
    );
  }

  private accept(chunk: Buffer, callback: TransformCallback): void {
    this.hash.update(chunk);
    if (this.prefixLength < PREFIX_BYTES) {
      this.prefix.push(chunk.subarray(0, PREFIX_BYTES - this.prefixLength));
      this.prefixLength += Math.min(chunk.length, PREFIX_BYTES - this.prefixLength);
    }
    if (this.sampled < HISTOGRAM_BYTES) {
      const take = Math.min(chunk.length, HISTOGRAM_BYTES - this.sampled);
      for (let i = 0; i < take; i++) this.histogram[chunk[i]!]!++;
      this.sampled += take;
    }
    callback(null, chunk);
  }

  result(): InspectionResult {
    let entropy = 0;
    for (const count of this.histogram) {
      if (count === 0) continue;
      const p = count / this.sampled;
      entropy -= p * Math.log2(p);
    }
    return {
      bytes: this.total,
      sha256Hex: this.hash.digest('hex'),
      plaintext: plaintextSignature(Buffer.concat(this.prefix)),
      entropy,
      sampledBytes: this.sampled,
    };
  }
}

/**
 * Whether the byte histogram is clearly not that of ciphertext. For n uniformly random
 * bytes the G statistic 2·n·ln2·(8 − H) follows a chi-square law with 255 degrees of
 * freedom (mean 255, sd 22.6); a value beyond mean + 6 sd (390.5) is refused. A real
 * ciphertext lands there with probability 9.5e-8 (about once in ten million uploads);
 * plaintext and compressed audio land far beyond it.
 */
export function entropyTooLow(result: Pick<InspectionResult, 'entropy' | 'sampledBytes'>): boolean {
  if (result.sampledBytes < MIN_ENTROPY_SAMPLE) return false;
  const g = 2 * result.sampledBytes * Math.LN2 * (8 - result.entropy);
  return g > 255 + 6 * Math.sqrt(2 * 255);
}

// MPEG audio: bitrate (kbit/s) by version/layer and sample rates by version.
const MPEG_BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** The length of the MPEG audio frame starting at `offset`, or 0 if no valid header is there. */
function mpegFrameLength(bytes: Buffer, offset: number): number {
  if (
    offset + 4 > bytes.length ||
    bytes[offset] !== 0xff ||
    ((bytes[offset + 1] ?? 0) & 0xe0) !== 0xe0
  )
    return 0;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const version = (b1 >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
  const layer = (b1 >> 1) & 0x03; // 3 = layer I, 2 = II, 1 = III, 0 reserved
  const bitrateIndex = (b2 >> 4) & 0x0f;
  const rateIndex = (b2 >> 2) & 0x03;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return 0;
  const layerNumber = 4 - layer;
  const table = version === 3 ? `1-${layerNumber}` : `2-${layerNumber === 1 ? 1 : 2}`;
  const bitrate = (MPEG_BITRATES[table]?.[bitrateIndex] ?? 0) * 1000;
  const rate = MPEG_RATES[version]?.[rateIndex] ?? 0;
  if (!bitrate || !rate) return 0;
  const padding = (b2 >> 1) & 0x01;
  if (layerNumber === 1) return (Math.floor((12 * bitrate) / rate) + padding) * 4;
  const samples = layerNumber === 3 && version !== 3 ? 72 : 144;
  return Math.floor((samples * bitrate) / rate) + padding;
}

/** ADTS (raw AAC) frame length at `offset`, or 0. */
function adtsFrameLength(bytes: Buffer, offset: number): number {
  if (
    offset + 7 > bytes.length ||
    bytes[offset] !== 0xff ||
    ((bytes[offset + 1] ?? 0) & 0xf6) !== 0xf0
  )
    return 0;
  const length =
    (((bytes[offset + 3]! & 0x03) << 11) |
      (bytes[offset + 4]! << 3) |
      (bytes[offset + 5]! >> 5)) >>>
    0;
  return length >= 7 ? length : 0;
}

/**
 * Recognises plaintext audio by its container or frame headers. Frame syncs (MP3, AAC)
 * must repeat at the length the first header announces: one random match is 1 in a few
 * thousand, two in a row about 1 in ten million.
 */
export function plaintextSignature(prefix: Buffer): string | undefined {
  const ascii = (start: number, length: number) =>
    prefix.subarray(start, start + length).toString('latin1');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WAVE') return 'RIFF/WAVE';
  if (ascii(0, 4) === 'RIFF') return 'RIFF';
  if (ascii(0, 3) === 'ID3') return 'ID3 (MP3)';
  if (ascii(0, 4) === 'OggS') return 'Ogg';
  if (ascii(0, 4) === 'fLaC') return 'FLAC';
  if (ascii(4, 4) === 'ftyp') return 'ISO-BMFF (MP4/M4A)';
  if (prefix.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])))
    return 'EBML (WebM/Matroska)';
  if (ascii(0, 4) === 'FORM' && (ascii(8, 4) === 'AIFF' || ascii(8, 4) === 'AIFC')) return 'AIFF';
  if (ascii(0, 6) === '#!AMR') return 'AMR';
  const mpeg = mpegFrameLength(prefix, 0);
  if (mpeg && mpegFrameLength(prefix, mpeg)) return 'MPEG audio frames';
  const adts = adtsFrameLength(prefix, 0);
  if (adts && adtsFrameLength(prefix, adts)) return 'ADTS (AAC) frames';
  return undefined;
}
