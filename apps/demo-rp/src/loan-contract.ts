/**
 * The demo bank's loan contract (issue 17): a one-page PDF written by hand (PDF 1.7, the two
 * standard Helvetica fonts, one uncompressed content stream, a classic cross-reference table as the
 * SDK's `preparePdf` needs). Small on purpose: a real bank would render its own contract.
 */

export interface LoanContract {
  /** The contract number, e.g. `LN-2026-4821`. */
  number: string;
  /** The bank's legal name, printed at the top. */
  bank: string;
  /** The borrower's Latin name (anything outside printable ASCII is printed as `?`). */
  borrower: string;
  amountUsd: number;
  months: number;
  ratePercentPerMonth: number;
  /** The contract's date (printed, and the PDF's creation date). */
  date: Date;
}

/** The file name the citizen's app shows and the download carries. */
export const contractFileName = (number: string) => `loan-contract-${number}.pdf`;

/** A PDF literal string: printable ASCII only, with `\`, `(` and `)` escaped. */
const pdfString = (text: string) =>
  `(${text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`)})`;

const pdfDate = (date: Date) => `D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export function loanContractPdf(contract: LoanContract): Uint8Array {
  const day = contract.date.toISOString().slice(0, 10);
  const lines: [text: string, font: 'F1' | 'F2', size: number][] = [
    [`LOAN CONTRACT No. ${contract.number}`, 'F2', 18],
    [`${contract.bank}, Phnom Penh, ${day}`, 'F1', 12],
    ['', 'F1', 12],
    [`Borrower: ${contract.borrower}`, 'F1', 12],
    [`Principal: ${contract.amountUsd.toLocaleString('en-US')} USD`, 'F1', 12],
    [`Term: ${contract.months} months at ${contract.ratePercentPerMonth}% per month`, 'F1', 12],
    ['', 'F1', 12],
    ['1. The borrower repays the principal and interest in equal monthly instalments.', 'F1', 11],
    ['2. Early repayment is allowed without penalty after the third month.', 'F1', 11],
    ['3. The borrower signs this contract with CamDigiKey.', 'F1', 11],
  ];
  let y = 780;
  const content = lines
    .map(([text, font, size]) => {
      const line = text ? `BT /${font} ${size} Tf 56 ${y} Td ${pdfString(text)} Tj ET\n` : '';
      y -= size + 10;
      return line;
    })
    .join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
    `<< /Title ${pdfString(`Loan contract ${contract.number}`)} /Producer (CamDigiKey demo bank) /CreationDate (${pdfDate(contract.date)}) /ModDate (${pdfDate(contract.date)}) >>`,
  ];
  let pdf = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
