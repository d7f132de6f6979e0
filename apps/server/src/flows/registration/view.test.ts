/**
 * Khmer first: every message id that any state of the registration UI can show exists in the
 * catalogue with Khmer and English text, and the view never exposes a secret.
 */
import { randomBytes } from 'node:crypto';
import { REGISTRATION_STATES } from '@camdigikey/contracts/registration';
import { isMessageId } from '@camdigikey/messages';
import { describe, expect, it } from 'vitest';
import { Envelope } from '../../crypto/envelope';
import { type RegistrationData, sealContext } from './flow-data';
import type { RegistrationFlow } from './flow-store';
import { flowView } from './view';

const envelope = new Envelope([{ id: 't', key: new Uint8Array(randomBytes(32)) }]);
const id = '11111111-1111-4111-8111-111111111111';

const data: RegistrationData = {
  phone: { e164: '+85512345678', national: '012 345 678', verified: true },
  email: { address: 'sok@example.com', verified: true },
  pinVerifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  faceId: { status: 'skipped' },
  liveness: {
    challenge: {
      id,
      actions: ['turn_left', 'nod', 'blink'],
      issuedAt: '2026-11-30T02:00:00Z',
      expiresAt: '2026-11-30T02:02:00Z',
    },
    recordingBlobId: id,
    selfieBlobId: id,
    frameCount: 12,
  },
  document: {
    documentType: 'id_card',
    format: 'TD1',
    issuingState: 'KHM',
    nationality: 'KHM',
    surname: 'SOK',
    givenNames: 'DARA',
    birthDate: '1990-01-01',
    sex: 'male',
    expiryDate: '2031-01-01',
    mrzSealed: envelope.sealText('IDKHM…', sealContext.mrz(id)),
    documentNumberSealed: envelope.sealText('012345678', sealContext.mrzDocumentNumber(id)),
    photoBlobId: id,
  },
  details: {
    khmerSurname: 'សុខ',
    khmerGivenName: 'ដារា',
    latinSurname: 'SOK',
    latinGivenName: 'DARA',
    documentNumberSealed: envelope.sealText('012345678', sealContext.formDocumentNumber(id)),
    birthDate: '1990-01-01',
    issueDate: '2021-01-01',
    expiryDate: '2031-01-01',
    gender: 'male',
    complete: true,
    mrzMismatches: ['latinGivenName'],
  },
  consent: { version: 'registration.v2', acceptedAt: '2026-11-30T02:10:00Z', language: 'km' },
};

const flowIn = (state: RegistrationFlow['state']): RegistrationFlow => ({
  id,
  state,
  language: 'km',
  deviceThumbprint: 'thumb',
  data,
  version: 3,
  accountId: state === 'submitted' ? id : null,
  createdAt: new Date('2026-11-30T02:00:00Z'),
  expiresAt: new Date('2026-11-30T02:30:00Z'),
});

describe.each(REGISTRATION_STATES)('the UI of %s', (state) => {
  const view = flowView(
    flowIn(state),
    envelope,
    state === 'submitted'
      ? { id, status: 'pending_review', reviewDeadline: new Date('2026-12-01T03:00:00Z') }
      : undefined,
  );

  it('uses only message ids that exist in Khmer and English', () => {
    const ids = [
      view.step.titleId,
      ...view.ui.messages.map((m) => m.id),
      ...view.ui.actions.map((a) => a.labelId),
      ...view.ui.nodes.flatMap((n) => [
        n.labelId,
        ...(n.options ?? []).map((o) => o.labelId),
        ...(n.messages ?? []).map((m) => m.id),
        ...(typeof n.attributes?.consentTextId === 'string' ? [n.attributes.consentTextId] : []),
        // The documents the consent names: each one's title and its versioned text.
        ...(typeof n.attributes?.documents === 'string'
          ? n.attributes.documents.split(',').flatMap((d) => {
              const [doc, version] = d.split('@');
              return [`legal.${doc}.title`, `legal.${doc}.v${version}`];
            })
          : []),
      ]),
    ];
    expect(ids.filter((m) => !isMessageId(m))).toEqual([]);
  });

  it('never exposes the PIN verifier or sealed values', () => {
    const text = JSON.stringify(view);
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('v1.t.');
  });

  it('tells the guide step', () => {
    expect(view.step.total).toBe(4);
    expect(view.step.index).toBeGreaterThanOrEqual(1);
  });
});
