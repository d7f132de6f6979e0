import { describe, expect, it } from 'vitest';
import { normalizeMrzInput } from './mrz-input';

const TD1 = [
  'IDKHM0123456784<<<<<<<<<<<<<<<',
  '9001013M3001014KHM<<<<<<<<<<<6',
  'SOK<<DARA<<<<<<<<<<<<<<<<<<<<<',
];
const TD3 = ['P<KHMSOK<<DARA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<', 'N012345674KHM9001013M3001014<<<<<<<<<<<<<<06'];

describe('the MRZ typed by hand', () => {
  it('recognises an ID card (TD1) and a passport (TD3)', () => {
    expect(normalizeMrzInput(TD1.join('\n'))).toEqual({ lines: TD1, format: 'TD1' });
    expect(normalizeMrzInput(TD3.join('\n'))).toEqual({ lines: TD3, format: 'TD3' });
  });

  it('forgives lower case, spaces, blank lines and look-alike fillers', () => {
    const typed = `\n${TD1[0]!.toLowerCase().replace(/</g, '‹')}\r\n ${TD1[1]!.slice(0, 10)} ${TD1[1]!.slice(10)} \n\n${TD1[2]}\n`;
    expect(normalizeMrzInput(typed)).toEqual({ lines: TD1, format: 'TD1' });
  });

  it('has no format while the shape or the characters are wrong', () => {
    expect(normalizeMrzInput(TD1.slice(0, 2).join('\n')).format).toBeUndefined();
    expect(normalizeMrzInput(`${TD3[0]}\n${TD3[1]!.slice(1)}`).format).toBeUndefined();
    expect(normalizeMrzInput(TD1.join('\n').replace('SOK', 'SÖK')).format).toBeUndefined();
  });
});
