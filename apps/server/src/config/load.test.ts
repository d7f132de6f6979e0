import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { DEFAULT_THRESHOLDS } from '@camdigikey/face-engine/config';
import { describe, expect, it } from 'vitest';
import { productionSecrets } from '../cli/secrets';
import { ConfigError, loadAuditSettings, loadConfig } from './load';
import { renderConfigurationDoc } from './render-docs';

const secrets = {
  PIN_PEPPER: Buffer.alloc(32, 1).toString('base64'),
  OTP_KEY: Buffer.alloc(32, 2).toString('base64'),
  BLIND_INDEX_KEY: Buffer.alloc(32, 3).toString('base64'),
  DATA_KEKS: `k1:${Buffer.alloc(32, 4).toString('base64')}`,
  ADMIN_TOKEN: 'a'.repeat(40),
  COOKIE_KEYS: 'c'.repeat(40),
  PAIRWISE_SALT: Buffer.alloc(32, 5).toString('base64'),
  AUDIT_KEYS: `a1:${Buffer.alloc(32, 6).toString('base64')}`,
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
      'AUDIT_KEYS',
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
    // The defaults are the engine's own (packages/face-engine config.ts, fe-thresholds-2026.1).
    expect(loadConfig({ NODE_ENV: 'test' }).face.thresholds).toEqual({
      match: DEFAULT_THRESHOLDS.match,
      confident: DEFAULT_THRESHOLDS.confident,
      matchReview: DEFAULT_THRESHOLDS.matchReview,
      sameFace: DEFAULT_THRESHOLDS.sameFace,
      minAntispoof: 0.2,
      minLive: 0.2,
    });
    expect(loadConfig({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '0.5' }).face.thresholds.match).toBe(0.5);
    expect(problemsOf({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '1.2' })).toEqual([
      expect.stringMatching(/^FACE_MATCH_THRESHOLD is malformed/),
    ]);
    expect(problemsOf({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '0.2' })).toEqual([
      'FACE_MATCH_REVIEW_THRESHOLD must not be above FACE_MATCH_THRESHOLD',
    ]);
    expect(problemsOf({ NODE_ENV: 'test', FACE_MATCH_THRESHOLD: '0.6' })).toEqual([
      'FACE_MATCH_THRESHOLD must not be above FACE_MATCH_CONFIDENT_THRESHOLD',
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

  it('derives PUBLIC_URL from PORT when it is not set, and warns when a local one names another port', () => {
    expect(loadConfig({ NODE_ENV: 'test', PORT: '9090' }).http.publicUrl).toBe('http://localhost:9090');
    expect(loadConfig({ NODE_ENV: 'test', PORT: '9090' }).warnings).toEqual([]);
    const mismatch = loadConfig({ NODE_ENV: 'test', PORT: '9090', PUBLIC_URL: 'http://localhost:8080' });
    expect(mismatch.http.publicUrl).toBe('http://localhost:8080');
    expect(mismatch.warnings).toEqual([
      expect.stringMatching(/names port 8080 but the server listens on PORT 9090/),
    ]);
    // Behind a proxy, or under a public name, the ports differ on purpose.
    expect(
      loadConfig({ NODE_ENV: 'test', PORT: '9090', PUBLIC_URL: 'https://id.example.gov.kh' }).warnings,
    ).toEqual([]);
    expect(
      loadConfig({ NODE_ENV: 'test', PORT: '9090', PUBLIC_URL: 'http://localhost', TRUST_PROXY: 'true' })
        .warnings,
    ).toEqual([]);
  });

  it('runs web, worker or both, and evidence jobs only where the worker role runs', () => {
    const all = loadConfig({ NODE_ENV: 'test' });
    expect(all.role).toEqual({ name: 'all', web: true, worker: true });
    expect(all.jobs.evidenceWorker).toBe(true);
    const web = loadConfig({ NODE_ENV: 'test', SERVER_ROLE: 'web' });
    expect(web.role).toEqual({ name: 'web', web: true, worker: false });
    expect(web.jobs.evidenceWorker).toBe(false);
    const worker = loadConfig({ NODE_ENV: 'test', SERVER_ROLE: 'worker', EVIDENCE_WORKER: 'false' });
    expect(worker.role).toEqual({ name: 'worker', web: false, worker: true });
    expect(worker.jobs.evidenceWorker).toBe(false);
    expect(problemsOf({ NODE_ENV: 'test', SERVER_ROLE: 'both' })[0]).toMatch(/^SERVER_ROLE is malformed/);
  });

  it('reads Redis Sentinel addresses', () => {
    const config = loadConfig({ NODE_ENV: 'test', REDIS_SENTINELS: 'a.example:26379,10.0.0.2:26380' });
    expect(config.redis.sentinels).toEqual([
      { host: 'a.example', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ]);
    expect(config.redis.sentinelMaster).toBe('mymaster');
    expect(problemsOf({ NODE_ENV: 'test', REDIS_SENTINELS: 'nohost' })[0]).toMatch(
      /^REDIS_SENTINELS is malformed/,
    );
  });

  it('starts in production with the set `npm run secrets` prints, a fresh one each time', () => {
    // Read as an env file is read (node's own dotenv parser), as an operator's tooling would.
    const parse = (text: string) => parseEnv(text) as Record<string, string>;
    const first = parse(productionSecrets());
    const config = loadConfig(first);
    expect(config.env).toBe('production');
    expect(config.metrics.token).toBe(first.METRICS_TOKEN);
    const second = parse(productionSecrets());
    for (const name of ['PIN_PEPPER', 'OTP_KEY', 'DATA_KEKS', 'ADMIN_TOKEN', 'COOKIE_KEYS', 'PAIRWISE_SALT'])
      expect(second[name]).not.toBe(first[name]);
  });

  it('is documented: docs/configuration.md is generated from the schema and up to date', () => {
    const committed = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigurationDoc());
  });

  it('reads the audit keys (first chains, all verify) and refuses a reserved, short or repeated id', () => {
    const key = (n: number, bytes = 32) => Buffer.alloc(bytes, n).toString('base64');
    const config = loadConfig({
      NODE_ENV: 'production',
      ...secrets,
      AUDIT_KEYS: `new:${key(7)},old:${key(8)}`,
    });
    expect(config.audit.keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.audit).toMatchObject({ checkpointEveryEvents: 1000, checkpointEveryMinutes: 5 });
    expect(config.audit.checkpointDir).toBe(join('.data', 'audit-checkpoints'));
    const problems = (keys: string) => problemsOf({ NODE_ENV: 'production', ...secrets, AUDIT_KEYS: keys });
    expect(problems(`legacy:${key(7)}`).join()).toMatch(/reserved/);
    expect(problems(`a:${key(7, 16)}`).join()).toMatch(/32 bytes/);
    expect(problems(`a:${key(7)},a:${key(8)}`).join()).toMatch(/id of its own/);
  });

  it('gives audit:verify its keys from the environment or the development secrets, never invents them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-audit-settings-'));
    try {
      expect(() => loadAuditSettings({ DATA_DIR: dir })).toThrow(/AUDIT_KEYS is required/);
      writeFileSync(join(dir, 'dev-secrets.json'), JSON.stringify({ AUDIT_KEYS: secrets.AUDIT_KEYS }));
      expect(loadAuditSettings({ DATA_DIR: dir })).toMatchObject({
        keys: [{ id: 'a1' }],
        checkpointDir: join(dir, 'audit-checkpoints'),
      });
      expect(() => loadAuditSettings({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(/AUDIT_KEYS/);
      expect(() => loadAuditSettings({ AUDIT_KEYS: 'nope' })).toThrow(/malformed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
