// Cambodian mobile number helpers: validation, national formatting ('012 345 678') and E.164 conversion.

/**
 * Cambodian mobile national significant numbers (without the trunk `0`), after Google libphonenumber's KH
 * metadata: 8 digits for the 1x/6x/7x/8x/9x operator prefixes, 9 digits for 12x, 18x, 31x, 38x, 71x, 76x,
 * 88x, 96x and 97x.
 */
const KH_MOBILE_NSN =
  /^(?:(?:(?:1[28]|3[18]|9[67])\d|6[016-9]|7(?:[07-9]|[16]\d)|8(?:[013-79]|8\d))\d{6}|(?:1\d|9[0-57-9])\d{6})$/;

function nationalSignificant(phone: string): string | null {
  const compact = phone.replace(/[\s().-]/g, '');
  if (/^\+855\d+$/.test(compact)) return compact.slice(4);
  if (/^00855\d+$/.test(compact)) return compact.slice(5);
  if (/^0\d+$/.test(compact)) return compact.slice(1);
  return null;
}

/** True when `phone` (national `012 345 678`, `+855 12 345 678` or `00855…` form) is a Cambodian mobile. */
export function isCambodianMobile(phone: string): boolean {
  const nsn = nationalSignificant(phone);
  return nsn !== null && KH_MOBILE_NSN.test(nsn);
}

/**
 * Converts a Cambodian mobile number in any accepted form to E.164 (`+85512345678`).
 * @throws RangeError when the number is not a Cambodian mobile.
 */
export function toE164(phone: string): string {
  const nsn = nationalSignificant(phone);
  if (nsn === null || !KH_MOBILE_NSN.test(nsn)) throw new RangeError(`not a Cambodian mobile: '${phone}'`);
  return `+855${nsn}`;
}

/** Formats a Cambodian mobile in national form: `012 345 678` (8-digit NSN) or `097 123 4567` (9-digit). */
export function formatNationalMobile(phone: string): string {
  const nsn = toE164(phone).slice(4);
  return `0${nsn.slice(0, 2)} ${nsn.slice(2, 5)} ${nsn.slice(5)}`;
}
