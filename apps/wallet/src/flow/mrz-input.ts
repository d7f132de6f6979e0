/**
 * The machine-readable zone typed by hand (the fallback when the scanner cannot read it): upper
 * case, spaces dropped, «‹»-like and Khmer-keyboard variants of "<" accepted, and the shape of a
 * Cambodian ID card (TD1: 3 lines × 30) or a passport (TD3: 2 lines × 44). The check digits are
 * the server's to check (it answers mrz_check_digit with the failing fields).
 */
export interface MrzInput {
  lines: string[];
  format: 'TD1' | 'TD3' | undefined;
}

export function normalizeMrzInput(text: string): MrzInput {
  const lines = text
    .toUpperCase()
    .replace(/[‹«＜〈]/g, '<')
    .split(/\r?\n/)
    .map((line) => line.replace(/[\s\u200b]/g, ''))
    .filter((line) => line.length > 0);
  const valid = lines.every((line) => /^[A-Z0-9<]+$/.test(line));
  const shaped = (count: number, width: number) =>
    lines.length === count && lines.every((l) => l.length === width);
  const format = !valid ? undefined : shaped(3, 30) ? 'TD1' : shaped(2, 44) ? 'TD3' : undefined;
  return { lines, format };
}
