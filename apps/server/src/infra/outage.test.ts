import { describe, expect, it } from 'vitest';
import { dependencyOutage } from './outage';

const coded = (message: string, code: string, name = 'Error') =>
  Object.assign(new Error(message), { code, name });

describe('which failures are a dependency away', () => {
  it('recognises node-postgres, its pool and PostgreSQL itself', () => {
    expect(dependencyOutage(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('network');
    expect(dependencyOutage(new Error('timeout exceeded when trying to connect'))).toBe('database');
    expect(dependencyOutage(new Error('Connection terminated unexpectedly'))).toBe('database');
    expect(dependencyOutage(new Error('Connection terminated due to connection timeout'))).toBe('database');
    expect(dependencyOutage(new Error('Query read timeout'))).toBe('database');
    expect(dependencyOutage(coded('terminating connection due to administrator command', '57P01'))).toBe(
      'database',
    );
    expect(dependencyOutage(coded('canceling statement due to statement timeout', '57014'))).toBe('database');
    expect(dependencyOutage(coded('the database system is starting up', '57P03'))).toBe('database');
    expect(dependencyOutage(coded('too many clients already', '53300'))).toBe('database');
  });

  it('recognises ioredis', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(dependencyOutage(maxRetries)).toBe('redis');
    expect(dependencyOutage(new Error('Command timed out'))).toBe('redis');
    expect(dependencyOutage(new Error('Connection is closed.'))).toBe('redis');
    expect(
      dependencyOutage(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe('redis');
    expect(
      dependencyOutage(Object.assign(new Error('LOADING Redis is loading'), { name: 'ReplyError' })),
    ).toBe('redis');
  });

  it('looks through causes and aggregates', () => {
    const wrapped = new Error('device_proof_invalid', { cause: new Error('Command timed out') });
    expect(dependencyOutage(wrapped)).toBe('redis');
    expect(dependencyOutage(new AggregateError([coded('x', 'ECONNREFUSED')]))).toBe('network');
  });

  it('leaves everything else alone (bugs stay 500, refusals keep their code)', () => {
    expect(
      dependencyOutage(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBeUndefined();
    expect(
      dependencyOutage(coded('duplicate key value violates unique constraint', '23505')),
    ).toBeUndefined();
    expect(dependencyOutage(coded('deadlock detected', '40P01'))).toBeUndefined();
    expect(dependencyOutage(Object.assign(new Error('WRONGTYPE'), { name: 'ReplyError' }))).toBeUndefined();
    expect(dependencyOutage('Command timed out')).toBeUndefined();
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    expect(dependencyOutage(loop)).toBeUndefined();
  });
});
