/**
 * Khmer digits (០–៩) for numbers shown in Khmer text, as the user guide writes them ("ជំហាន ១/៤",
 * "៦ ខ្ទង់"). Written out here rather than left to Intl: browsers' Khmer number data varies.
 */
const KHMER = ['០', '១', '២', '៣', '៤', '៥', '៦', '៧', '៨', '៩'] as const;

/** Every Western digit 0–9 in the text becomes its Khmer digit; nothing else changes. */
export function toKhmerDigits(text: string | number): string {
  return String(text).replace(/[0-9]/g, (d) => KHMER[Number(d)]!);
}

/** Khmer digits back to Western digits (what a Khmer keyboard types into a number field). */
export function fromKhmerDigits(text: string): string {
  return text.replace(/[០-៩]/g, (d) => String(d.charCodeAt(0) - 0x17e0));
}

/** Digits for the language on screen: Khmer digits in Khmer, unchanged in English. */
export const localDigits = (value: string | number, lang: 'km' | 'en'): string =>
  lang === 'km' ? toKhmerDigits(value) : String(value);
