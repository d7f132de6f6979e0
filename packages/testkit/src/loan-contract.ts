/**
 * A synthetic loan contract PDF for the signing tests (issue 17): two pages of plain text made
 * with pdf-lib, saved with a classic cross-reference table (as the SDK's preparePdf needs).
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';

export interface LoanTerms {
  borrower: string;
  amountUsd: number;
  months: number;
  ratePercent: number;
  contractNumber: string;
  /** The document's creation date (pdf-lib would otherwise stamp the machine's time). */
  date: Date;
}

export async function loanContractPdf(terms: LoanTerms): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Loan contract ${terms.contractNumber}`);
  pdf.setProducer('CamDigiKey testkit');
  pdf.setCreationDate(terms.date);
  pdf.setModificationDate(terms.date);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const lines = [
    [`LOAN CONTRACT No. ${terms.contractNumber}`, bold, 18],
    ['Demo Bank Plc., Phnom Penh', font, 12],
    ['', font, 12],
    [`Borrower: ${terms.borrower}`, font, 12],
    [`Principal: ${terms.amountUsd.toLocaleString('en-US')} USD`, font, 12],
    [`Term: ${terms.months} months at ${terms.ratePercent}% per month`, font, 12],
    ['', font, 12],
    ['1. The borrower repays the principal and interest in equal monthly instalments.', font, 11],
    ['2. Early repayment is allowed without penalty after the third month.', font, 11],
    ['3. The borrower signs this contract with CamDigiKey.', font, 11],
  ] as const;
  const page = pdf.addPage([595, 842]);
  let y = 780;
  for (const [text, face, size] of lines) {
    page.drawText(text, { x: 56, y, size, font: face });
    y -= size + 10;
  }
  pdf
    .addPage([595, 842])
    .drawText('Annex: repayment schedule (illustrative).', { x: 56, y: 780, size: 12, font });
  return pdf.save({ useObjectStreams: false });
}
