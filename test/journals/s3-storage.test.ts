import { journalSuite } from './suite.ts';
import { startS3 } from '../helpers/s3.ts';

// S3-compatible storage, against s3rver on loopback: the same suite as local storage.
journalSuite('S3', async () => startS3());
