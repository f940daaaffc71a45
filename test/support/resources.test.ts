// Support resources (issue 20): crisis lines and emergency numbers by country and language,
// public and cacheable, each number with the page it was checked on; and the profile's
// country they are shown for (from the time zone unless the person chose one).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { registerUser } from '../helpers/users.ts';

const content = JSON.parse(readFileSync('content/support/resources.json', 'utf8')) as {
  checked_on: string;
  countries: Record<
    string,
    {
      emergency: { number: string; source_url: string };
      resources: {
        name: { es: string; en: string };
        description: { es: string; en: string };
        source_url: string;
      }[];
    }
  >;
};

describe('support resources', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const resources = (query: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `/v1/support/resources?${query}`, headers });

  it('answers a country in its language, without a token: emergency number, lines, sources', async () => {
    const mexico = await resources('country=MX&lang=es');
    expect(mexico.statusCode).toBe(200);
    const body = mexico.json();
    expect(body).toMatchObject({ country: 'MX', language: 'es', checked_on: content.checked_on });
    expect(body.emergency).toEqual({
      number: '911',
      other_numbers: [],
      source_url: content.countries.MX!.emergency.source_url,
    });
    expect(body.resources.map((r: { name: string; phone: string }) => [r.name, r.phone])).toEqual([
      ['Línea de la Vida', '800 911 2000'],
    ]);
    expect(body.message).toMatch(/^Si estás pasando por un momento difícil/);
    expect(mexico.headers['cache-control']).toBe('public, max-age=86400');

    const spain = (await resources('country=ES&lang=en')).json();
    expect([spain.emergency.number, spain.resources[0].phone, spain.language]).toEqual([
      '112',
      '024',
      'en',
    ]);
    expect(spain.message).toMatch(/^If you're going through a hard time/);
    expect(spain.countries_covered).toEqual(Object.keys(content.countries).sort());
  });

  it('takes the language from Accept-Language when not asked, Spanish by default', async () => {
    const english = await resources('country=GB', { 'accept-language': 'en-GB,en;q=0.9' });
    expect([
      english.json().language,
      english.json().resources[0].name,
      english.headers.vary,
    ]).toEqual(['en', 'Samaritans', 'Accept-Language']);
    expect((await resources('country=GB')).json().language).toBe('es');
  });

  it('revalidates with its ETag (304), and a stock client’s extra query parameters change nothing', async () => {
    const first = await resources('country=AR&lang=es');
    const again = await resources('country=AR&lang=es', {
      'if-none-match': first.headers.etag as string,
    });
    expect([again.statusCode, again.body]).toEqual([304, '']);
    const extra = await resources('country=AR&lang=es&platform=android&v=3');
    expect([extra.statusCode, extra.headers.etag]).toEqual([200, first.headers.etag]);
    expect(extra.json().resources.map((r: { phone: string }) => r.phone)).toEqual([
      '135',
      '0800-999-0091',
    ]);
  });

  it('says kindly when it has no checked numbers for a country, and still lists the ones it has', async () => {
    const japan = (await resources('country=JP&lang=en')).json();
    expect([japan.emergency, japan.resources]).toEqual([null, []]);
    expect(japan.message).toMatch(/don't have checked numbers for your country yet/);
    expect(japan.countries_covered).toContain('MX');
  });

  it.each([
    ['a lower-case country', 'country=mx', '#/query/country'],
    ['no country', 'lang=es', '#/query/country'],
    ['an unknown language', 'country=MX&lang=fr', '#/query/lang'],
  ])('refuses %s with a 400 problem naming the parameter', async (_, query, pointer) => {
    const response = await resources(query);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('the content: every country has lines, both languages, and a source for every number', () => {
    for (const [code, country] of Object.entries(content.countries)) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(country.emergency.source_url).toMatch(/^https?:\/\//);
      expect(country.resources.length).toBeGreaterThan(0);
      for (const resource of country.resources) {
        expect(resource.source_url).toMatch(/^https?:\/\//);
        for (const text of [
          resource.name.es,
          resource.name.en,
          resource.description.es,
          resource.description.en,
        ])
          expect(text.trim().length).toBeGreaterThan(2);
      }
    }
  });
});

describe('the country of a profile', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const me = (token: string) => t.request('GET', '/v1/users/me', { token });
  const patch = (token: string, body: unknown) =>
    t.request('PATCH', '/v1/users/me', { token, body });

  it('comes from the time zone until the person chooses one; null goes back', async () => {
    const lucia = await registerUser(t, { time_zone: 'America/Mexico_City' });
    expect((await me(lucia.accessToken)).body).toMatchObject({
      country: 'MX',
      country_chosen: false,
    });
    const chosen = await patch(lucia.accessToken, { country: 'CO' });
    expect([chosen.status, chosen.body.country, chosen.body.country_chosen]).toEqual([
      200,
      'CO',
      true,
    ]);
    // Moving time zone does not override a choice.
    expect((await patch(lucia.accessToken, { time_zone: 'Europe/Madrid' })).body.country).toBe(
      'CO',
    );
    const back = await patch(lucia.accessToken, { country: null });
    expect([back.body.country, back.body.country_chosen]).toEqual(['ES', false]);

    const utc = await registerUser(t, { time_zone: 'UTC' });
    expect((await me(utc.accessToken)).body).toMatchObject({
      country: null,
      country_chosen: false,
    });
  });

  it('refuses a code that is no country (422) or not a code (400), and stores nothing', async () => {
    const emma = await registerUser(t, { time_zone: 'Europe/Madrid' });
    const unknown = await patch(emma.accessToken, { country: 'ZZ' });
    expect([unknown.status, unknown.body.type, unknown.body.errors[0].pointer]).toEqual([
      422,
      'https://amirawellness.com/problems/unknown-country',
      '#/body/country',
    ]);
    const malformed = await patch(emma.accessToken, { country: 'Spain' });
    expect(malformed.status).toBe(400);
    expect((await me(emma.accessToken)).body).toMatchObject({
      country: 'ES',
      country_chosen: false,
    });
    expect((await t.request('PATCH', '/v1/users/me', { body: { country: 'ES' } })).status).toBe(
      401,
    );
  });
});
