/**
 * The km/en message catalogues and a formatter. Khmer is the default language.
 */
import { en, type MessageId } from './en';
import { km } from './km';

export type { MessageId } from './en';
export type Language = 'km' | 'en';
export const LANGUAGES: readonly Language[] = ['km', 'en'];
export const DEFAULT_LANGUAGE: Language = 'km';

export const catalogues: Record<Language, Record<MessageId, string>> = { km, en };

export const isMessageId = (id: string): id is MessageId => Object.hasOwn(en, id);

const KHMER_DIGITS = ['០', '១', '២', '៣', '៤', '៥', '៦', '៧', '៨', '៩'];

/** Western digits to Khmer digits (០–៩), for numbers shown in Khmer text. */
export const toKhmerDigits = (text: string): string =>
  text.replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]!);

export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * The text of a message in a language with `{placeholders}` filled. Numbers are written with
 * Khmer digits in Khmer text; strings are inserted as given (codes stay Western on purpose).
 */
export function format(id: MessageId, language: Language, params: MessageParams = {}): string {
  const template = catalogues[language][id];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' && language === 'km' ? toKhmerDigits(String(value)) : String(value);
  });
}

/** Both texts of a message, as error answers carry them. */
export const bilingual = (id: MessageId, params: MessageParams = {}) => ({
  km: format(id, 'km', params),
  en: format(id, 'en', params),
});
