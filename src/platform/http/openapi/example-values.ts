// Values the OpenAPI examples share, so that the examples of one operation agree with
// those of another: two people who use the app, Lucía (Mexico City, in Spanish) and Emma
// (Madrid, in English), and the envelopes their devices made. The envelopes have the real
// shape (platform/crypto/envelopes.ts: version byte, IV, AES-256-GCM ciphertext and tag,
// made with throwaway keys); no example carries a person's words in plaintext.

export const lucia = {
  id: '3c5878aa-a89b-4a13-a5ca-327c70fb3ddf',
  email: 'lucia.hernandez@example.com',
  display_name: 'Lucía',
  language: 'es',
  time_zone: 'America/Mexico_City',
} as const;

export const emma = {
  id: '1c9f5467-f0da-4403-babf-6dcc260c49b5',
  email: 'emma.wilson@example.com',
  display_name: 'Emma',
  language: 'en',
  time_zone: 'Europe/Madrid',
} as const;

/** Text envelopes (docs/encryption.md), each bound on the device to its record and field. */
export const textEnvelopes = {
  luciaNote:
    'AaJzjFe3MZ4RYuW2y51F/riv7pGZM5Ga1RItkBVu8rdtO+7CRAsekrfYR18OfUxwicxcCYbL8lgIwDTZZ7AjzkGKhktc+TjZzjq41KVa6B3EtIimgObH/Qg9810=',
  emmaNote:
    'AfbTuHwWw7Zr0qZKEjOr3izT1fADo1y77CZT849tuCflhEwEEEyYyLgPsRg2BvXeltF6kfiY0EhvW8HNsDrPzytuIcUqhMzCdzB2cj9OTQ==',
  luciaTitle: 'AY2gDSkLNhlouzdFf4XLAcPy5/r6U23V+ixxSdxSSZs2V9waQThHGdpcVvWqlg==',
  emmaTitle: 'AYG62jJ9VY5Q5xuhYe1Iw7eqnl2KUw58NcjAXP8i7dybt2aqM/X75orGZDbJs76HAEfzNw==',
  shareLabel: 'AZCcckVDEWj+BMEL2UFcy6PbJAlknoTdCKV99NGf76590KFp6tEJC41SB8/rSg==',
} as const;

/** Wrapped 256-bit keys (key envelopes). */
export const keyEnvelopes = {
  luciaJournalKey:
    'AXTXm8hHRW+S4EYhEkszj5HVp8U5EkwKx/fae2QaYpjwJwuRrvfm/MnKgVuMqzzIrcne6xynHWLePmfBmw==',
  emmaJournalKey:
    'Ad2Cg2Xtf5LkgyYUntoWtyKvZrvt+xsJySHOllqYccyrRSR9JjC66KL5B+3K9sblH5Scz3vchz6GDPvzfg==',
  luciaDataKey:
    'AZE7AUtOVXLD0xBBawswC2qH/EEy5ac9mwCsK/u4skQefaP4imw8T8ng/XN0HqJIFFbf18cZ1VPVGD3f1A==',
  emmaDataKey:
    'AWgx+ci8J/uo3irf3tmoGgViCJhv0n0j4e6NY472b7X8iVAFNSnHIhevjyHoIo2O/LmgTqL4T5sgu+T8xA==',
  luciaRecoveryKey:
    'AaIGxeXhJE1kLmO3qC82eToqGXaAGHGB02Ks1ST4EtaLs+kWcrzIdkOnqfF0R4SI8ydIYVOKsOxJN5Te5g==',
} as const;

/** Ids of the records the examples show. */
export const exampleIds = {
  luciaCheckin: 'e2ebfca6-76ab-4015-a1d7-3d974cd1fa6f',
  emmaCheckin: '828b4b14-3d67-4247-bc5e-6330605baafc',
  luciaPostCheckin: '8966172e-cba5-4cd8-96f4-36b1557eef14',
  luciaJournal: '743eabaa-917e-41d2-8143-04dafde8d597',
  emmaJournal: '43229623-ffd1-49df-8f7a-7f8901be1ba3',
  share: 'fa0c0be9-4ddc-491d-8dcc-28486ab990f1',
  boxBreathing: '67fb1a4f-75dc-4673-b00e-ad58031343a4',
  grounding: '553dab22-2911-432a-8170-cabaa644eb04',
  luciaDevice: 'f57f3079-4331-401e-94d1-d862de4185e2',
  emmaDevice: '2242005e-604a-4d15-98c2-142e5ee447e4',
  session: '245a6f9e-0956-4dbc-b93d-e5e5043b124a',
  notification: '4ecedbee-1646-464e-bd0d-bc60f1ee7b65',
} as const;

/** How Lucía's and Emma's recordings were encrypted (segmented: what the SDK sends). */
export const recordingCiphers = {
  lucia: {
    iv: 'NxwLx/ANGQ==',
    checksum_sha256: 'f08b240369de66c68d041b6a40e7aaf88f7497169857e8a28872848fe926850b',
  },
  emma: {
    iv: 'k3Qp9TzR1w==',
    checksum_sha256: 'ebfeb850a5f73f43a80e0f6ea4dd59495a7cb42895ab7e27c771cd2905605b10',
  },
} as const;
