/**
 * The demo bank's side of "Sign with CamDigiKey" over the client API (issue 17), as a relying
 * party would write it with the SDK:
 *
 *   1. {@link startSigning}: write the loan contract PDF, `preparePdf` it (a signature field as an
 *      incremental update, and the digest of the bytes the signature will cover), and ask for the
 *      citizen's signature with `requestSignature` (the text in Khmer and English, the file's name,
 *      its SHA-256 and the PAdES digest); the answer's verification code goes on the bank's page;
 *   2. {@link refreshSigning}: `getSignatureStatus` until the citizen signed or declined; a signed
 *      result is checked offline (`verifySignature` against the bank's own trust root: the text,
 *      the document, the code, the request id, and the signer is the citizen logged in here), then
 *      `embedPadesSignature` makes the signed PDF the citizen downloads.
 */
import { randomInt } from 'node:crypto';
import {
  type CamDigiKeyClient,
  embedPadesSignature,
  type PreparedPdf,
  preparePdf,
  verifySignature,
} from '@camdigikey/client';
import type { Citizen, LoanOffer, SigningView } from './html';
import { type Bilingual, tr } from './i18n';
import { contractFileName, loanContractPdf } from './loan-contract';

/** The terms every citizen is offered (a demonstration, not a credit decision). */
export const LOAN_TERMS = { amountUsd: 5000, months: 24, ratePercentPerMonth: 1.1 } as const;

/** A signature request the bank keeps in the citizen's session. */
export interface Signing extends SigningView {
  /** The prepared PDF (kept until the signature comes back to be embedded). */
  prepared: PreparedPdf;
  /** The texts sent, compared with the signed statement. */
  text: { km: string; en: string };
  /** The signed PDF, once the signature was checked and embedded. */
  signedPdf?: Buffer | undefined;
}

/** The Markdown subset has no escapes: a name keeps no character that would start emphasis. */
const plainName = (name: string) =>
  name
    .replace(/[*_#`\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export function loanOffer(citizen: Citizen): LoanOffer {
  return { borrower: citizen.nameLatin ?? citizen.nameKm ?? citizen.sub, ...LOAN_TERMS };
}

export async function startSigning(
  sdk: CamDigiKeyClient,
  input: { accessToken: string; citizen: Citizen; bank: Bilingual; now: Date },
): Promise<Signing> {
  const { citizen, bank, now } = input;
  const number = `LN-${now.getUTCFullYear()}-${String(randomInt(10_000)).padStart(4, '0')}`;
  const fileName = contractFileName(number);
  const offer = loanOffer(citizen);
  const pdf = loanContractPdf({
    number,
    bank: bank.en,
    borrower: offer.borrower,
    amountUsd: offer.amountUsd,
    months: offer.months,
    ratePercentPerMonth: offer.ratePercentPerMonth,
    date: now,
  });
  const prepared = await preparePdf(pdf, {
    signingTime: now,
    reason: `Loan contract ${number}`,
    location: 'Phnom Penh',
  });
  const params = (lang: 'km' | 'en') => ({
    borrower: plainName(lang === 'km' ? (citizen.nameKm ?? offer.borrower) : offer.borrower),
    amount: offer.amountUsd.toLocaleString('en-US'),
    bank: plainName(bank[lang]),
    months: String(offer.months),
    rate: String(offer.ratePercentPerMonth),
    number,
  });
  const text = {
    km: tr('km', 'sign.statement', params('km')).normalize('NFC'),
    en: tr('en', 'sign.statement', params('en')).normalize('NFC'),
  };
  const { data } = await sdk.requestSignature(input.accessToken, {
    text,
    format: 'markdown',
    document: {
      name: fileName,
      sha256: prepared.documentSha256,
      pades: { byteRangeSha256: prepared.byteRangeSha256 },
    },
  });
  if (!data) throw new Error('the signature request returned no data');
  return {
    id: data.signRequestId,
    contractNumber: number,
    fileName,
    verificationCode: data.verificationCode,
    state: 'pending',
    prepared,
    text,
  };
}

/**
 * Asks CamDigiKey for a pending request's state and records it; a signature is checked and
 * embedded before the request counts as signed (anything wrong with it: `failed`). A failed status
 * call keeps the state and marks the request unreachable (the page tries again).
 */
export async function refreshSigning(
  sdk: CamDigiKeyClient,
  signing: Signing,
  citizenId: string,
): Promise<void> {
  if (signing.state !== 'pending') return;
  let result: Awaited<ReturnType<CamDigiKeyClient['getSignatureStatus']>>['data'];
  try {
    result = (await sdk.getSignatureStatus(signing.id)).data;
    signing.unreachable = false;
  } catch {
    signing.unreachable = true;
    return;
  }
  if (!result || result.state === 'pending') return;
  if (result.state === 'declined' || result.state === 'expired') {
    signing.state = result.state;
    return;
  }
  try {
    const verified = verifySignature(result, {
      trustedRoot: sdk.trustRoot,
      expected: {
        id: signing.id,
        text: signing.text,
        documentSha256: signing.prepared.documentSha256,
        verificationCode: signing.verificationCode,
      },
    });
    if (verified.signer.camdigikeyId !== citizenId) throw new Error('signed by someone else');
    if (typeof result.padesSignature !== 'string') throw new Error('no PAdES signature');
    signing.signedPdf = await embedPadesSignature(signing.prepared, result.padesSignature);
    signing.signer = verified.signer.name;
    signing.state = 'signed';
  } catch {
    signing.state = 'failed';
  }
}
