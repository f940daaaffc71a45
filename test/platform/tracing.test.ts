// Tracing, end to end: the app exports its request spans over OTLP/HTTP to a collector
// stand-in on loopback (a plain HTTP server reading the OTLP JSON the exporter sends).
import { createServer, type Server } from 'node:http';
import { sealed } from '../helpers/envelopes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  parentSpanId?: string;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const received: OtlpRequest[] = [];
let collector: Server;
let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') received.push(JSON.parse(body) as OtlpRequest);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as { port: number };
  t = await createTestApp({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'amira-test',
    },
  });
  user = await registerUser(t);
});
afterAll(async () => {
  await t?.close();
  collector?.close();
});

const attributes = (span: OtlpSpan) =>
  Object.fromEntries(
    span.attributes.map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]),
  );

async function exportedSpans(): Promise<{ service: unknown; spans: OtlpSpan[] }[]> {
  for (let i = 0; i < 50 && received.length === 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return received.flatMap((r) =>
    r.resourceSpans.map((rs) => ({
      service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
      spans: rs.scopeSpans.flatMap((s) => s.spans),
    })),
  );
}

describe('request tracing', () => {
  it('exports one server span per request with the route template and request id, joined to the caller’s trace, and no personal data', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const notes = await sealed('checkin.notes', 'a private note');
    const checkin = await t.request('POST', '/v1/emotions', {
      token: user.accessToken,
      body: {
        id: notes.id,
        emotion_type_id: 3,
        intensity: 6,
        context: 'standalone',
        notes: notes.envelope,
      },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-me-1' },
    });
    expect(checkin.status).toBe(201);
    const read = await t.request('GET', `/v1/emotions/${checkin.body.id}`, {
      token: user.accessToken,
    });
    expect(read.status).toBe(200);
    await t.platform.tracing!.shutdown(); // flushes the batch

    const batches = await exportedSpans();
    expect(batches.every((b) => b.service === 'amira-test')).toBe(true);
    const spans = batches.flatMap((b) => b.spans);
    const create = spans.find((s) => s.name === 'POST /v1/emotions');
    expect(create).toBeDefined();
    expect(create!.kind).toBe(2); // SERVER
    expect(create!.traceId).toBe(traceId);
    expect(create!.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attributes(create!)).toEqual({
      'http.request.method': 'POST',
      'http.route': '/v1/emotions',
      'amira.request_id': 'trace-me-1',
      'http.response.status_code': 201,
    });
    const get = spans.find((s) => s.name === 'GET /v1/emotions/:id');
    expect(attributes(get!)['http.route']).toBe('/v1/emotions/:id');

    // Nothing that identifies the person or their words leaves with the spans.
    const everything = JSON.stringify(received);
    for (const secret of [user.id, user.email, user.accessToken, checkin.body.id, notes.envelope])
      expect(everything).not.toContain(secret);
  });
});
