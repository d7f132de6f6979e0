/**
 * The UI of each registration state as data (house-style rule 5): the nodes to draw, the
 * actions to call and the messages to show, all by message id. The app draws it; nothing here
 * is HTML. `values` lets the app resume without retyping anything.
 */
import type {
  FlowView,
  RegistrationState,
  UiAction,
  UiMessage,
  UiNode,
} from '@camdigikey/contracts/registration';
import { REGISTRATION_STEP } from '@camdigikey/core/flows/registration';
import type { Envelope } from '../../crypto/envelope';
import { faceIdStep, flowPost, livenessStep, phoneCodeStep, phoneStep, pinStep } from '../ui-nodes';
import { consentAttributes } from './consent';
import { sealContext } from './flow-data';
import type { RegistrationFlow } from './flow-store';

const BASE = '/api/device/v1/registration';

const GENDER_OPTIONS = [
  { value: 'male', labelId: 'option.gender.male' },
  { value: 'female', labelId: 'option.gender.female' },
];

function nodesFor(
  flow: RegistrationFlow,
  envelope: Envelope,
): { nodes: UiNode[]; actions: UiAction[]; messages: UiMessage[] } {
  const d = flow.data;
  const post = flowPost(BASE, flow.id);
  const state: RegistrationState = flow.state;
  const stateMessage = (context?: Record<string, string>): UiMessage => ({
    id: `registration.state.${state}`,
    type: 'info',
    ...(context ? { context } : {}),
  });
  switch (state) {
    case 'awaiting_phone':
      return phoneStep(post, stateMessage());
    case 'awaiting_phone_code':
      return phoneCodeStep(post, d.phone?.e164, stateMessage);
    case 'awaiting_email':
      return {
        nodes: [
          {
            name: 'email',
            type: 'email',
            labelId: 'field.email',
            required: true,
            attributes: { autocomplete: 'email' },
          },
        ],
        actions: [post('email', 'send_otp', 'action.send_otp')],
        messages: [stateMessage()],
      };
    case 'awaiting_email_code':
      return {
        nodes: [
          {
            name: 'email',
            type: 'email',
            labelId: 'field.email',
            value: d.email?.address ?? '',
            attributes: { display: d.email?.address ?? '' },
          },
          {
            name: 'code',
            type: 'otp',
            labelId: 'field.email_code',
            required: true,
            attributes: { length: 6 },
          },
        ],
        actions: [
          post('email/verify', 'verify', 'action.verify'),
          post('email/resend', 'resend_otp', 'action.resend_otp'),
          post('email', 'send_otp', 'action.send_otp'),
        ],
        messages: [stateMessage({ email: d.email?.address ?? '' }), { id: 'info.otp_sent', type: 'info' }],
      };
    case 'awaiting_pin':
    case 'awaiting_new_pin':
      return pinStep(post, stateMessage());
    case 'awaiting_face_id':
      return faceIdStep(post, stateMessage());
    case 'awaiting_liveness':
      return livenessStep(post, d.liveness?.challenge, [stateMessage()]);
    case 'awaiting_document':
      return {
        nodes: [
          {
            name: 'mrz',
            type: 'camera',
            labelId: 'field.mrz',
            required: true,
            attributes: { facing: 'environment', frame: 'id-1' },
          },
          { name: 'photo', type: 'camera', labelId: 'field.document_photo', required: true },
        ],
        actions: [post('document', 'scan', 'action.next')],
        messages: [stateMessage()],
      };
    case 'awaiting_details':
    case 'awaiting_consent':
    case 'awaiting_submission': {
      const f = d.details;
      const documentNumber = f?.documentNumberSealed
        ? envelope.openText(f.documentNumberSealed, sealContext.formDocumentNumber(flow.id))
        : '';
      const field = (
        name: string,
        type: UiNode['type'],
        labelId: string,
        value: string | undefined,
        extra: Partial<UiNode> = {},
      ): UiNode => ({
        name,
        type,
        labelId,
        required: true,
        value: value ?? '',
        ...extra,
      });
      const nodes: UiNode[] = [
        field('gender', 'select', 'field.gender', f?.gender, { options: GENDER_OPTIONS }),
        field('khmerSurname', 'text', 'field.khmer_surname', f?.khmerSurname, {
          attributes: { script: 'khmer' },
        }),
        field('khmerGivenName', 'text', 'field.khmer_given_name', f?.khmerGivenName, {
          attributes: { script: 'khmer' },
        }),
        field('latinSurname', 'text', 'field.latin_surname', f?.latinSurname),
        field('latinGivenName', 'text', 'field.latin_given_name', f?.latinGivenName),
        field('documentNumber', 'text', 'field.document_number', documentNumber),
        field('birthDate', 'date', 'field.birth_date', f?.birthDate),
        field('issueDate', 'date', 'field.issue_date', f?.issueDate),
        field('expiryDate', 'date', 'field.expiry_date', f?.expiryDate),
      ];
      const messages: UiMessage[] = [stateMessage()];
      if (f?.mrzMismatches.length)
        messages.push({
          id: 'info.mrz_mismatch',
          type: 'info',
          context: { fields: f.mrzMismatches.join(',') },
        });
      const actions = [post('details', 'save_details', 'action.next')];
      if (state !== 'awaiting_details') {
        nodes.push({
          name: 'accepted',
          type: 'checkbox',
          labelId: 'field.consent_terms',
          required: true,
          value: state === 'awaiting_submission',
          attributes: consentAttributes(),
        });
        actions.push(post('consent', 'accept', 'action.next'));
      }
      if (state === 'awaiting_submission') actions.push(post('submit', 'submit', 'action.submit'));
      return { nodes, actions, messages };
    }
    case 'submitted':
      return {
        nodes: [],
        actions: [
          {
            name: 'status',
            method: 'GET',
            href: '/api/device/v1/account/status/stream',
            labelId: 'action.next',
          },
        ],
        messages: [],
      };
  }
}

export function flowView(
  flow: RegistrationFlow,
  envelope: Envelope,
  account?: { id: string; status: string; reviewDeadline: Date },
): FlowView {
  const d = flow.data;
  const ui = nodesFor(flow, envelope);
  if (account)
    ui.messages.push({
      id: 'registration.state.submitted',
      type: 'info',
      context: { deadline: account.reviewDeadline.toISOString() },
    });
  return {
    id: flow.id,
    kind: 'registration',
    state: flow.state,
    language: flow.language,
    expiresAt: flow.expiresAt.toISOString(),
    step: { ...REGISTRATION_STEP[flow.state], total: 4 },
    ui,
    values: {
      phone: d.phone?.e164,
      phoneVerified: d.phone?.verified ?? false,
      email: d.email?.address,
      emailVerified: d.email?.verified ?? false,
      pinSet: Boolean(d.pinVerifier),
      faceId: d.faceId?.status ?? 'not_chosen',
      livenessRecorded: Boolean(d.liveness?.recordingBlobId),
      document: d.document
        ? {
            documentType: d.document.documentType,
            issuingState: d.document.issuingState,
            surname: d.document.surname,
            givenNames: d.document.givenNames,
            birthDate: d.document.birthDate,
            expiryDate: d.document.expiryDate,
            sex: d.document.sex,
          }
        : undefined,
      mrzMismatches: d.details?.mrzMismatches ?? [],
      consent: d.consent ? { version: d.consent.version, acceptedAt: d.consent.acceptedAt } : undefined,
    },
    ...(account
      ? {
          account: {
            id: account.id,
            status: account.status,
            reviewDeadline: account.reviewDeadline.toISOString(),
          },
        }
      : {}),
  };
}
