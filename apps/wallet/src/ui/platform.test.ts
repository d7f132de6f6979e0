import { describe, expect, it } from 'vitest';
import { biometricOf } from './platform';

describe('the biometric word', () => {
  it('is Face ID only on Apple devices', () => {
    expect(biometricOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15')).toBe(
      'face_id',
    );
    expect(
      biometricOf(
        'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36',
      ),
    ).toBe('android');
  });
});
