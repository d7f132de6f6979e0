/**
 * Step 3/4 and 4/4: the identity document and the citizen's form (user guide 1.8–1.9).
 *
 * Document: the app sends the MRZ text it read and the photo. The server parses the MRZ itself
 * (every check digit, known document type, not expired, old enough), stores the MRZ and the
 * document number encrypted, the photo as an encrypted blob, and refuses a document that
 * already belongs to a live account (ADR 0004) while telling that account's owner.
 *
 * Form: every field validated on its own; valid fields are kept even when others are wrong
 * (nothing entered is lost), and fields that disagree with the MRZ are kept but flagged.
 */

import { randomUUID } from 'node:crypto';
import type { FieldIssue } from '@camdigikey/contracts/errors';
import type { DetailsBody } from '@camdigikey/contracts/registration';
import { normalizeKhmerName, normalizeLatinName } from '@camdigikey/core/identity/khmer-name';
import { diffAgainstMrz, type IdentityMrz, parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { birthDatePinCandidates } from '@camdigikey/core/identity/pin-policy';
import { LIVE_ACCOUNT_STATUSES } from '@camdigikey/db';
import { openPersonal, PERSONAL_COLUMNS } from '../../accounts/personal-data';
import { canonicalDocumentNumber } from '../../crypto/keyed-hash';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import { storeBlob } from '../../uploads/blobs';
import { decodeImage } from '../../uploads/images';
import { type RegistrationData, sealContext } from './flow-data';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A real calendar date written YYYY-MM-DD. */
export function isValidIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDay(d) === value;
}

/** Full years between a birth date and a day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The live account that already holds this document, if any. */
async function documentOwner(deps: Deps, bidx: string) {
  return deps.db
    .selectFrom('accounts')
    .select(['language', ...PERSONAL_COLUMNS])
    .where('document_number_bidx', '=', bidx)
    .where('status', 'in', [...LIVE_ACCOUNT_STATUSES])
    .executeTakeFirst();
}

export async function refuseDuplicateDocument(deps: Deps, bidx: string): Promise<void> {
  const owner = await documentOwner(deps, bidx);
  if (!owner) return;
  // Tell the owner, at most once an hour, that someone used their document.
  const hit = await deps.hot.hit(`document-in-use:${owner.id}`, 3600, deps.clock.now());
  if (hit.count === 1) {
    await deps.notifier
      .documentInUse(openPersonal(deps.envelope, owner).phoneE164, owner.language)
      .catch((err: unknown) => {
        deps.logger.warn({ err, accountId: owner.id }, 'document-in-use notice failed');
      });
  }
  throw new AppError('document_already_registered');
}

/** The document photo as the app sends it (base64): a real image within the size limits. */
export function decodeDocumentPhoto(deps: Deps, photo: string) {
  return decodeImage(photo, 'photo', {
    maxBytes: deps.config.http.maxImageBytes,
    minWidth: 320,
    minHeight: 200,
  });
}

export async function submitDocument(
  deps: Deps,
  flowId: string,
  body: { mrz: string; photo: string },
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit_document');
  const today = deps.clock.now();
  const parsed = parseIdentityMrz(body.mrz, { today });
  if (!parsed.ok) {
    throw new AppError(parsed.code, {
      fields: [fieldIssue('mrz', parsed.code)],
      details: mrzDetails(parsed.detail),
    });
  }
  const mrz = parsed.value;
  if (ageOn(mrz.birthDate, isoDay(today)) < deps.config.flows.minAgeYears) {
    throw new AppError('holder_under_age', { fields: [fieldIssue('mrz', 'holder_under_age')] });
  }
  const photo = await decodeDocumentPhoto(deps, body.photo);
  const bidx = deps.blindIndex.documentNumber(mrz.issuingState, mrz.documentNumber);
  await refuseDuplicateDocument(deps, bidx);

  const photoBlobId = randomUUID();
  const previousPhoto = flow.data.document?.photoBlobId;
  const sex = mrz.sex;
  const data: RegistrationData = {
    ...flow.data,
    document: {
      documentType: mrz.documentType,
      format: mrz.format,
      issuingState: mrz.issuingState,
      nationality: mrz.nationality,
      surname: mrz.surname,
      givenNames: mrz.givenNames,
      birthDate: mrz.birthDate,
      sex,
      expiryDate: mrz.expiryDate,
      mrzSealed: deps.envelope.sealText(mrz.lines.join('\n'), sealContext.mrz(flow.id)),
      documentNumberSealed: deps.envelope.sealText(
        mrz.documentNumber,
        sealContext.mrzDocumentNumber(flow.id),
      ),
      photoBlobId,
    },
    // Pre-fill the form from the MRZ, keeping what the citizen already typed in Khmer.
    details: {
      khmerSurname: flow.data.details?.khmerSurname,
      khmerGivenName: flow.data.details?.khmerGivenName,
      latinSurname: mrz.surname,
      latinGivenName: mrz.givenNames,
      documentNumberSealed: deps.envelope.sealText(
        mrz.documentNumber,
        sealContext.formDocumentNumber(flow.id),
      ),
      birthDate: mrz.birthDate,
      issueDate: flow.data.details?.issueDate,
      expiryDate: mrz.expiryDate,
      gender: sex === 'unspecified' ? undefined : sex,
      complete: false,
      mrzMismatches: [],
    },
    consent: undefined,
  };
  return saveFlow(deps, flow, {
    action: 'submit_document',
    state: 'awaiting_details',
    data,
    ctx,
    audit: { documentType: mrz.documentType, issuingState: mrz.issuingState, format: mrz.format },
    also: async (trx, now) => {
      if (previousPhoto) await trx.deleteFrom('blobs').where('id', '=', previousPhoto).execute();
      await storeBlob(trx, deps.envelope, {
        id: photoBlobId,
        ownerType: 'flow',
        ownerId: flow.id,
        purpose: 'document_photo',
        mediaType: photo.mediaType,
        bytes: photo.bytes,
        now,
      });
    },
  });
}

function mrzDetails(detail: Readonly<Record<string, unknown>> | undefined) {
  const fields = detail?.fields;
  return Array.isArray(fields) ? { checkDigits: fields.map(String) } : undefined;
}

type DetailsValues = Omit<NonNullable<RegistrationData['details']>, 'complete' | 'mrzMismatches'> & {
  documentNumber?: string;
};

/** Validate each field of the form on its own; return the clean values and the problems. */
export function validateDetails(body: DetailsBody, today: string, minAge: number) {
  const issues: FieldIssue[] = [];
  const values: DetailsValues = {};
  const khmer = (name: 'khmerSurname' | 'khmerGivenName') => {
    const r = normalizeKhmerName(body[name] ?? '');
    if (r.ok) values[name] = r.value;
    else issues.push(fieldIssue(name, r.code));
  };
  const latin = (name: 'latinSurname' | 'latinGivenName') => {
    const r = normalizeLatinName(body[name] ?? '');
    if (r.ok) values[name] = r.value;
    else issues.push(fieldIssue(name, r.code));
  };
  khmer('khmerSurname');
  khmer('khmerGivenName');
  latin('latinSurname');
  latin('latinGivenName');

  const number = canonicalDocumentNumber(body.documentNumber ?? '');
  if (/^[A-Z0-9]{5,20}$/.test(number)) values.documentNumber = number;
  else issues.push(fieldIssue('documentNumber', 'document_number_invalid'));

  for (const name of ['birthDate', 'issueDate', 'expiryDate'] as const) {
    const value = (body[name] ?? '').trim();
    if (isValidIsoDate(value)) values[name] = value;
    else issues.push(fieldIssue(name, 'date_invalid'));
  }
  if (values.birthDate && values.birthDate >= today) {
    issues.push(fieldIssue('birthDate', 'date_invalid'));
    values.birthDate = undefined;
  } else if (values.birthDate && ageOn(values.birthDate, today) < minAge) {
    issues.push(fieldIssue('birthDate', 'holder_under_age'));
  }
  if (
    values.issueDate &&
    (values.issueDate > today || (values.birthDate && values.issueDate < values.birthDate))
  ) {
    issues.push(fieldIssue('issueDate', 'date_invalid'));
    values.issueDate = undefined;
  }
  if (values.expiryDate && values.expiryDate < today)
    issues.push(fieldIssue('expiryDate', 'document_expired'));

  if (body.gender === 'male' || body.gender === 'female') values.gender = body.gender;
  else issues.push(fieldIssue('gender', 'gender_invalid'));
  return { values, issues };
}

export async function submitDetails(
  deps: Deps,
  flowId: string,
  body: DetailsBody,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit_details');
  const document = flow.data.document;
  if (!document) throw new AppError('registration_incomplete');
  const today = isoDay(deps.clock.now());
  const { values, issues } = validateDetails(body, today, deps.config.flows.minAgeYears);
  const { documentNumber, ...rest } = values;
  const previous = flow.data.details;
  const merged = {
    ...previous,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    ...(documentNumber
      ? {
          documentNumberSealed: deps.envelope.sealText(
            documentNumber,
            sealContext.formDocumentNumber(flow.id),
          ),
        }
      : {}),
  };

  if (issues.length > 0) {
    // Keep every valid field (nothing entered is lost), then answer with the problems.
    await saveFlow(deps, flow, {
      action: 'draft',
      state: flow.state,
      data: {
        ...flow.data,
        details: { ...merged, complete: false, mrzMismatches: previous?.mrzMismatches ?? [] },
      },
      ctx,
      audit: { invalidFields: issues.map((i) => i.field) },
    });
    const code = issues.length === 1 ? issues[0]!.code : 'validation_failed';
    throw new AppError(code, { fields: issues });
  }

  const mrz: IdentityMrz = {
    format: document.format,
    documentType: document.documentType,
    documentCode: '',
    issuingState: document.issuingState,
    documentNumber: deps.envelope.openText(
      document.documentNumberSealed,
      sealContext.mrzDocumentNumber(flow.id),
    ),
    surname: document.surname,
    givenNames: document.givenNames,
    nationality: document.nationality,
    birthDate: document.birthDate,
    sex: document.sex,
    expiryDate: document.expiryDate,
    lines: deps.envelope.openText(document.mrzSealed, sealContext.mrz(flow.id)).split('\n'),
  };
  const mismatches = diffAgainstMrz(
    {
      latinSurname: values.latinSurname!,
      latinGivenName: values.latinGivenName!,
      documentNumber: documentNumber!,
      birthDate: values.birthDate!,
      expiryDate: values.expiryDate!,
      gender: values.gender!,
    },
    mrz,
  ).map((m) => m.field);

  const pinIsBirthDate = await pinMatchesBirthDate(deps, flow.data.pinVerifier, values.birthDate!);
  return saveFlow(deps, flow, {
    action: 'submit_details',
    state: pinIsBirthDate ? 'awaiting_new_pin' : 'awaiting_consent',
    data: {
      ...flow.data,
      details: { ...merged, complete: true, mrzMismatches: mismatches },
      consent: undefined,
    },
    ctx,
    audit: { mrzMismatches: mismatches, pinIsBirthDate },
  });
}

/** The PIN was chosen before the birth date was known: test the verifier against it now. */
async function pinMatchesBirthDate(
  deps: Deps,
  verifier: string | undefined,
  birthDate: string,
): Promise<boolean> {
  if (!verifier) return false;
  for (const candidate of birthDatePinCandidates(birthDate)) {
    if (await deps.pins.verify(verifier, candidate)) return true;
  }
  return false;
}
