// Heuristics for trivially guessable 6-digit PINs, used to give synthetic citizens realistic, strong PINs.

// Frequent 6-digit PINs from published PIN studies (keypad lines and diagonals, "love" numbers, counting).
const BLOCKLIST = new Set(
  (
    '112233 102030 147258 258369 159753 789456 696969 520520 131313 101010 202020 147852 ' +
    '147369 159357 753951 456123 741852 963852 123654 100200 520131 521521 246810 135790'
  ).split(' '),
);

function birthDateForms(birthDate: string): string[] {
  const m = /^(\d{2})(\d{2})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return [];
  const [, cc = '', yy = '', mm = '', dd = ''] = m;
  return [`${dd}${mm}${yy}`, `${yy}${mm}${dd}`, `${mm}${dd}${yy}`, `${cc}${yy}${mm}`, `${mm}${cc}${yy}`];
}

/**
 * True for PINs that a PIN policy should refuse: not exactly 6 digits, one repeated digit, ascending or
 * descending runs (123456, 987654, 901234), repetitions (121212, 123123, 112233, 111222), mirrored
 * halves (123321), frequent PINs from published studies (keypad patterns and the like), and — when
 * `birthDate` (`YYYY-MM-DD`) is given — the birth date as DDMMYY, YYMMDD, MMDDYY, YYYYMM or MMYYYY.
 * Generated citizens' PINs avoid all of these, so they pass a platform PIN policy built on the same ideas.
 */
export function isTrivialPin(pin: string, birthDate?: string): boolean {
  if (!/^\d{6}$/.test(pin)) return true;
  const nums = [...pin].map(Number);
  const steps = nums.slice(1).map((v, i) => (v - nums[i]! + 10) % 10);
  if (steps.every((s) => s === steps[0] && (s === 0 || s === 1 || s === 9))) return true;
  const [a, b, c, d, e, f] = pin;
  if (pin.slice(0, 2).repeat(3) === pin || pin.slice(0, 3).repeat(2) === pin) return true;
  if ((a === b && c === d && e === f) || (a === b && b === c && d === e && e === f)) return true;
  if (pin.slice(3) === [...pin.slice(0, 3)].reverse().join('')) return true;
  if (BLOCKLIST.has(pin)) return true;
  return birthDate !== undefined && birthDateForms(birthDate).includes(pin);
}
