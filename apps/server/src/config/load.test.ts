import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';
import { renderConfigurationDoc } from './render-docs';

const secrets = {
  PIN_PEPPER: Buffer.alloc(32, 1).toString('base64'),
  OTP_KEY: Buffer.alloc(32, 2).toString('base64'),
  BLIND_INDEX_KEY: Buffer.alloc(32, 3).toString('base64'),
  DATA_KEKS: `k1:${Buffer.alloc(32, 4).toString('base64')}`,
  ADMIN_TOKEN: 'a'.repeat(40),
  COOKIE_KEYS: 'c'.repeat(40),
  PAIRWISE_SALT: Buffer.alloc(32, 5).toString('base64'),
};

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('configuration', () => {
  it('has working defaults in development', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.http.port).toBe(8080);
    expect(config.otp).toMatchObject({
      ttlSeconds: 300,
      maxFailures: 5,
      resendSeconds: 60,
      maxSendsPerHour: 5,
    });
    expect(config.flows.idleMinutes).toBe(30);
    expect(config.argon2.memoryKib).toBeGreaterThanOrEqual(19_456);
    expect(config.argon2.timeCost).toBeGreaterThanOrEqual(2);
    expect(config.review.periods).toEqual([
      { start: '08:00', end: '12:00' },
      { start: '14:00', end: '17:00' },
    ]);
    expect(config.devOutbox).toBe(true);
  });

  it('is frozen', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.otp)).toBe(true);
  });

  it('requires every secret in production and names the variables', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of [
      'PIN_PEPPER',
      'OTP_KEY',
      'BLIND_INDEX_KEY',
      'DATA_KEKS',
      'ADMIN_TOKEN',
      'COOKIE_KEYS',
      'PAIRWISE_SALT',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name} is required`))).toBe(true);
    }
  });

  it('starts in production with secrets given', () => {
    const config = loadConfig({ NODE_ENV: 'production', ...secrets });
    expect(config.devOutbox).toBe(false);
    expect(config.secrets.keks[0]?.id).toBe('k1');
  });

  it('names malformed values without echoing secrets', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ...secrets,
      PORT: 'eighty',
      PIN_PEPPER: 'c2hvcnQ=',
    });
    expect(problems.find((p) => p.startsWith('PORT is malformed'))).toContain('"eighty"');
    const pepper = problems.find((p) => p.startsWith('PIN_PEPPER is malformed'));
    expect(pepper).toContain('(secret hidden)');
    expect(pepper).not.toContain('c2hvcnQ=');
  });

  it('refuses weakened security numbers', () => {
    expect(problemsOf({ NODE_ENV: 'test', OTP_TTL_SECONDS: '3600' })[0]).toMatch(
      /^OTP_TTL_SECONDS is malformed/,
    );
    expect(problemsOf({ NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1024' })[0]).toMatch(
      /^ARGON2_MEMORY_KIB is malformed/,
    );
    expect(problemsOf({ NODE_ENV: 'test', WORKING_PERIODS: '17:00-08:00' })[0]).toMatch(
      /^WORKING_PERIODS is malformed/,
    );
    expect(problemsOf({ NODE_ENV: 'test', DATABASE_URL: 'mysql://x' })[0]).toMatch(
      /^DATABASE_URL is malformed/,
    );
  });

  it('takes the face and liveness thresholds from configuration, in [0,1] and consistent', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).face.thresholds).toEqual({
      match: 0.65,
      matchReview: 0.5,
      sameFace: 0.5,
      minAntispoof: 0.2,
      minLive: 0.2,
    });
    expect(loadConfig({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '0.7' }).face.thresholds.match).toBe(0.7);
    expect(problemsOf({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '1.2' })).toEqual([
      expect.stringMatching(/^FACE_MATCH_THRESHOLD is malformed/),
    ]);
    expect(problemsOf({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '0.4' })).toEqual([
      'FACE_MATCH_REVIEW_THRESHOLD must not be above FACE_MATCH_THRESHOLD',
    ]);
  });

  it('seeds demo data by default in development only', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).demoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', DEMO_DATA: 'false' }).demoData).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...secrets, DEMO_DATA: 'true' }).demoData).toBe(false);
  });

  it('cannot turn the development outbox on in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...secrets, DEV_OUTBOX: 'true' })).toContain(
      'DEV_OUTBOX cannot be enabled in production',
    );
  });

  it('is documented: docs/configuration.md is generated from the schema and up to date', () => {
    const committed = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigurationDoc());
  });
});
