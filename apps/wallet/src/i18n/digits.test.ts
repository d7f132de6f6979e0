import { describe, expect, it } from 'vitest';
import { fromKhmerDigits, localDigits, toKhmerDigits } from './digits';

describe('Khmer digits', () => {
  it('writes every digit 0–9 as its Khmer digit', () => {
    expect(toKhmerDigits('0123456789')).toBe('០១២៣៤៥៦៧៨៩');
    expect(toKhmerDigits(2025)).toBe('២០២៥');
    expect(toKhmerDigits(0)).toBe('០');
  });

  it('leaves everything else as it is', () => {
    expect(toKhmerDigits('ជំហាន 1/4: Step')).toBe('ជំហាន ១/៤: Step');
    expect(toKhmerDigits('+855 12-345.678')).toBe('+៨៥៥ ១២-៣៤៥.៦៧៨');
    expect(toKhmerDigits('')).toBe('');
    expect(toKhmerDigits('abc')).toBe('abc');
  });

  it('reads Khmer digits back, so a Khmer keyboard can type a code', () => {
    expect(fromKhmerDigits('០១២៣៤៥៦៧៨៩')).toBe('0123456789');
    expect(fromKhmerDigits(toKhmerDigits('482913'))).toBe('482913');
    expect(fromKhmerDigits('12៣')).toBe('123');
  });

  it('uses Khmer digits only when the screen is in Khmer', () => {
    expect(localDigits(8, 'km')).toBe('៨');
    expect(localDigits(8, 'en')).toBe('8');
    expect(localDigits('6/4', 'en')).toBe('6/4');
  });
});
