import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has embedded defaults that need nothing installed', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 8000,
      databaseUrl: undefined,
      redisUrl: undefined,
      smtpUrl: undefined,
      publicBaseUrl: 'http://127.0.0.1:8000',
      jwt: { audience: 'amira-api', accessTtlSeconds: 900, issuer: 'http://127.0.0.1:8000' },
      refresh: { ttlDays: 14, reuseGraceSeconds: 5 },
      argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 },
      jobs: 'inprocess',
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('converts and validates values', () => {
    const config = loadConfig({ PORT: '9001', TRUST_PROXY: '2', REFRESH_REUSE_GRACE_SECONDS: '0' });
    expect(config.port).toBe(9001);
    expect(config.trustProxy).toBe(2);
    expect(config.refresh.reuseGraceSeconds).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.0.1',
    ]);
  });

  it('names every bad variable in one clear message', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ARGON2_MEMORY_KIB: '1024' }),
    ).toThrowError(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ARGON2_MEMORY_KIB: '1024' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('ARGON2_MEMORY_KIB');
    }
  });

  it('requires secrets, keys, a database and the public URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(
      /APP_SECRET: required[\s\S]*JWT_SIGNING_KEYS: required[\s\S]*DATABASE_URL: required[\s\S]*PUBLIC_BASE_URL: required/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      APP_SECRET: 'a'.repeat(43),
      JWT_SIGNING_KEYS: '[]',
      DATABASE_URL: 'postgres://app@db/amira',
      PUBLIC_BASE_URL: 'https://api.amirawellness.com/',
    });
    expect(config.production).toBe(true);
    expect(config.publicBaseUrl).toBe('https://api.amirawellness.com');
  });
});
