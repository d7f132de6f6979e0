import { describe, expect, it } from 'vitest';
import { sessionTtlSeconds } from './provider';

describe('SSO session lifetime (24 h overall, 1 h idle)', () => {
  const login = 1_800_000_000;
  it('lives one idle hour after each use', () => {
    expect(sessionTtlSeconds(login, login, 24, 60)).toBe(3600);
    expect(sessionTtlSeconds(login + 10 * 3600, login, 24, 60)).toBe(3600);
  });
  it('never outlives 24 hours from the login, however often it is used', () => {
    expect(sessionTtlSeconds(login + 23.5 * 3600, login, 24, 60)).toBe(1800);
    expect(sessionTtlSeconds(login + 24 * 3600 + 5, login, 24, 60)).toBe(1);
  });
});
