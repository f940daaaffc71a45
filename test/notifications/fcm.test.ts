// The FCM HTTP v1 provider against a loopback server implementing the token exchange and
// messages:send: success, 429 with Retry-After, 5xx, dead tokens, the circuit breaker.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFcmProvider,
  retryAfterMs,
  type ServiceAccount,
} from '../../src/platform/push/fcm.ts';
import { PushUnavailable, type PushMessage } from '../../src/platform/push/push.ts';
import { startFakeFcm, type FakeFcm } from '../helpers/fcm.ts';

let fcm: FakeFcm;
let account: ServiceAccount;
beforeAll(async () => {
  fcm = await startFakeFcm();
  account = JSON.parse(await readFile(fcm.env.FCM_SERVICE_ACCOUNT_FILE!, 'utf8')) as ServiceAccount;
});
afterAll(() => fcm.close());
afterEach(() => {
  fcm.received.length = 0;
  fcm.script.length = 0;
});

const provider = () =>
  createFcmProvider({
    serviceAccount: account,
    apiUrl: fcm.env.FCM_API_URL!,
    log: pino({ level: 'silent' }),
  });
const message = (token = 'device-token-aaaaaaaaaaaaaaaaaaaa'): PushMessage => ({
  token,
  title: 'A moment for you',
  body: 'How are you arriving at today?',
  data: { kind: 'reminder', notification_id: '7b0c5d1e-0000-4000-8000-000000000001' },
  collapseId: 'reminder:2026-03-28',
});

describe('FCM provider', () => {
  it('exchanges the service account for a token once and sends the v1 message', async () => {
    const push = provider();
    const before = fcm.tokenRequests;
    expect(await push.send(message())).toEqual({
      ok: true,
      messageId: expect.stringMatching(/^projects\/amira-test\/messages\//),
    });
    expect(await push.send(message('device-token-bbbbbbbbbbbbbbbbbbbb'))).toMatchObject({
      ok: true,
    });
    expect(fcm.tokenRequests - before).toBe(1); // cached for the second send
    expect(fcm.received[0]!.message).toEqual({
      token: 'device-token-aaaaaaaaaaaaaaaaaaaa',
      notification: { title: 'A moment for you', body: 'How are you arriving at today?' },
      data: { kind: 'reminder', notification_id: '7b0c5d1e-0000-4000-8000-000000000001' },
      android: {
        collapse_key: 'reminder:2026-03-28',
        notification: { tag: 'reminder:2026-03-28' },
      },
      apns: { headers: { 'apns-collapse-id': 'reminder:2026-03-28' } },
    });
  });

  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    fcm.script.push({ status: 429, headers: { 'retry-after': '1' } });
    expect(await provider().send(message())).toMatchObject({ ok: true });
    expect(fcm.received).toHaveLength(2);
    expect(fcm.received[1]!.at - fcm.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('reports a dead token as an outcome, not an error', async () => {
    fcm.unregistered.add('device-token-uninstalled-xxxxxxxx');
    expect(await provider().send(message('device-token-uninstalled-xxxxxxxx'))).toEqual({
      ok: false,
      reason: 'unregistered',
    });
    fcm.script.push({
      status: 400,
      body: { error: { status: 'INVALID_ARGUMENT', details: [{ errorCode: 'INVALID_ARGUMENT' }] } },
    });
    expect(await provider().send(message())).toEqual({ ok: false, reason: 'invalid-token' });
  });

  it('gives up after three attempts on 5xx, and leaves a longer Retry-After to the job queue', async () => {
    fcm.script.push({ status: 503 }, { status: 503 }, { status: 503 });
    await expect(provider().send(message())).rejects.toBeInstanceOf(PushUnavailable);
    expect(fcm.received).toHaveLength(3);

    fcm.received.length = 0;
    fcm.script.push({ status: 429, headers: { 'retry-after': '120' } });
    const error = await provider()
      .send(message())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushUnavailable);
    expect((error as PushUnavailable).retryAfterMs).toBe(120_000);
    expect(fcm.received).toHaveLength(1);
  });

  it('opens the circuit after five failures in a row and stops calling', async () => {
    const push = provider();
    fcm.script.push(...Array.from({ length: 5 }, () => ({ status: 500 })));
    await expect(push.send(message())).rejects.toBeInstanceOf(PushUnavailable); // 3 calls
    await expect(push.send(message())).rejects.toBeInstanceOf(PushUnavailable); // 2 more: open
    const calls = fcm.received.length;
    await expect(push.send(message())).rejects.toThrow(/unavailable/i);
    expect(fcm.received.length).toBe(calls);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
