/**
 * The step renderer on every state of both flows. The views are written as the server builds them
 * (apps/server/src/flows/registration/view.ts, flows/recovery/view.ts, flows/ui-nodes.ts) and
 * drawn to static HTML in Khmer and English.
 */

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyFlowView, UiAction, UiMessage, UiNode } from '../api/device-api';
import { initI18n, setLanguage } from '../i18n';
import { StepRenderer } from './StepRenderer';
import { type Panel, planStep } from './step-plan';

const ID = '0b7c1f64-5a0e-4c55-9a8e-2f1b7d3e9c10';
const REG = `/api/device/v1/registration/${ID}`;
const REC = `/api/device/v1/recovery/${ID}`;
const post = (base: string, path: string, name: string, labelId: string): UiAction => ({
  name,
  method: 'POST',
  href: `${base}/${path}`,
  labelId,
});
const info = (id: string, context?: Record<string, string | number>): UiMessage => ({
  id,
  type: 'info',
  ...(context ? { context } : {}),
});

const phone = (b: string) => ({
  nodes: [
    {
      name: 'phone',
      type: 'tel',
      labelId: 'field.phone',
      required: true,
      attributes: { autocomplete: 'tel' },
    },
  ],
  actions: [post(b, 'phone', 'send_otp', 'action.send_otp')],
});
const phoneCode = (b: string) => ({
  nodes: [
    { name: 'phone', type: 'tel', labelId: 'field.phone', value: '+85512345678' },
    { name: 'code', type: 'otp', labelId: 'field.phone_code', required: true, attributes: { length: 6 } },
  ],
  actions: [
    post(b, 'phone/verify', 'verify', 'action.verify'),
    post(b, 'phone/resend', 'resend_otp', 'action.resend_otp'),
    post(b, 'phone', 'send_otp', 'action.send_otp'),
  ],
});
const pins = (b: string) => ({
  nodes: [
    { name: 'pin', type: 'pin', labelId: 'field.pin', required: true, attributes: { length: 6 } },
    {
      name: 'pinConfirmation',
      type: 'pin',
      labelId: 'field.pin_confirmation',
      required: true,
      attributes: { length: 6 },
    },
  ],
  actions: [post(b, 'pin', 'next', 'action.next')],
});
const faceId = (b: string) => ({
  nodes: [
    {
      name: 'faceId',
      type: 'webauthn',
      labelId: 'field.face_id',
      attributes: { authenticatorAttachment: 'platform' },
    },
  ],
  actions: [
    post(b, 'face-id/options', 'enable_face_id', 'action.enable_face_id'),
    post(b, 'face-id', 'register_face_id', 'action.next'),
    post(b, 'face-id/skip', 'skip', 'action.skip'),
  ],
});
const liveness = (b: string) => ({
  nodes: [
    {
      name: 'recording',
      type: 'camera',
      labelId: 'field.liveness_recording',
      required: true,
      attributes: {
        facing: 'user',
        challengeId: ID,
        actions: 'turn_left,nod',
        expiresAt: '2025-11-05T08:00:00.000Z',
      },
      messages: [info('liveness.turn_left'), info('liveness.nod')],
    },
  ],
  actions: [
    post(b, 'liveness/challenge', 'new_challenge', 'action.hold_to_record'),
    post(b, 'liveness', 'submit', 'action.next'),
  ],
});
const form = (state: string) => {
  const field = (
    name: string,
    type: UiNode['type'],
    labelId: string,
    value: string,
    extra: Partial<UiNode> = {},
  ) => ({
    name,
    type,
    labelId,
    required: true,
    value,
    ...extra,
  });
  const nodes: UiNode[] = [
    field('gender', 'select', 'field.gender', 'female', {
      options: [
        { value: 'male', labelId: 'option.gender.male' },
        { value: 'female', labelId: 'option.gender.female' },
      ],
    }),
    field('khmerSurname', 'text', 'field.khmer_surname', 'សុខ', { attributes: { script: 'khmer' } }),
    field('khmerGivenName', 'text', 'field.khmer_given_name', 'ដារា', { attributes: { script: 'khmer' } }),
    field('latinSurname', 'text', 'field.latin_surname', 'SOK'),
    field('latinGivenName', 'text', 'field.latin_given_name', 'DARA'),
    field('documentNumber', 'text', 'field.document_number', '012345678'),
    field('birthDate', 'date', 'field.birth_date', '1990-01-01'),
    field('issueDate', 'date', 'field.issue_date', ''),
    field('expiryDate', 'date', 'field.expiry_date', '2030-01-01'),
  ];
  const actions = [post(REG, 'details', 'save_details', 'action.next')];
  if (state !== 'awaiting_details') {
    nodes.push({
      name: 'accepted',
      type: 'checkbox',
      labelId: 'field.consent',
      required: true,
      value: state === 'awaiting_submission',
      attributes: { consentVersion: 'registration.v1', consentTextId: 'consent.registration.v1' },
    });
    actions.push(post(REG, 'consent', 'accept', 'action.next'));
  }
  if (state === 'awaiting_submission') actions.push(post(REG, 'submit', 'submit', 'action.submit'));
  return { nodes, actions };
};

const REGISTRATION: Record<
  string,
  [index: number, titleId: string, ui: { nodes: unknown[]; actions: UiAction[] }]
> = {
  awaiting_phone: [1, 'registration.step.contacts', phone(REG)],
  awaiting_phone_code: [1, 'registration.step.contacts', phoneCode(REG)],
  awaiting_email: [
    1,
    'registration.step.contacts',
    {
      nodes: [{ name: 'email', type: 'email', labelId: 'field.email', required: true }],
      actions: [post(REG, 'email', 'send_otp', 'action.send_otp')],
    },
  ],
  awaiting_email_code: [
    1,
    'registration.step.contacts',
    {
      nodes: [
        { name: 'email', type: 'email', labelId: 'field.email', value: 'dara@example.com' },
        { name: 'code', type: 'otp', labelId: 'field.email_code', required: true, attributes: { length: 6 } },
      ],
      actions: [
        post(REG, 'email/verify', 'verify', 'action.verify'),
        post(REG, 'email/resend', 'resend_otp', 'action.resend_otp'),
        post(REG, 'email', 'send_otp', 'action.send_otp'),
      ],
    },
  ],
  awaiting_pin: [1, 'registration.step.pin', pins(REG)],
  awaiting_face_id: [2, 'registration.step.face_id', faceId(REG)],
  awaiting_liveness: [2, 'registration.step.face', liveness(REG)],
  awaiting_document: [
    3,
    'registration.step.document',
    {
      nodes: [
        {
          name: 'mrz',
          type: 'camera',
          labelId: 'field.mrz',
          required: true,
          attributes: { facing: 'environment' },
        },
        { name: 'photo', type: 'camera', labelId: 'field.document_photo', required: true },
      ],
      actions: [post(REG, 'document', 'scan', 'action.next')],
    },
  ],
  awaiting_details: [4, 'registration.step.details', form('awaiting_details')],
  awaiting_new_pin: [4, 'registration.step.details', pins(REG)],
  awaiting_consent: [4, 'registration.step.details', form('awaiting_consent')],
  awaiting_submission: [4, 'registration.step.details', form('awaiting_submission')],
  submitted: [
    4,
    'registration.step.submitted',
    {
      nodes: [],
      actions: [
        {
          name: 'status',
          method: 'GET',
          href: '/api/device/v1/account/status/stream',
          labelId: 'action.next',
        },
      ],
    },
  ],
};

const RECOVERY: Record<
  string,
  [index: number, titleId: string, ui: { nodes: unknown[]; actions: UiAction[] }]
> = {
  awaiting_phone: [1, 'recovery.step.phone', phone(REC)],
  awaiting_phone_code: [1, 'recovery.step.phone', phoneCode(REC)],
  awaiting_pin: [2, 'recovery.step.pin', pins(REC)],
  awaiting_face_id: [2, 'recovery.step.face_id', faceId(REC)],
  awaiting_liveness: [3, 'recovery.step.face', liveness(REC)],
  recovered: [3, 'recovery.step.done', { nodes: [], actions: [] }],
  referred: [3, 'recovery.step.referred', { nodes: [], actions: [] }],
};

function viewOf(kind: 'registration' | 'recovery', state: string): AnyFlowView {
  const [index, titleId, ui] = (kind === 'registration' ? REGISTRATION : RECOVERY)[state]!;
  const prefix = kind === 'registration' ? 'registration' : 'recovery';
  const messages: UiMessage[] = [
    info(`${prefix}.state.${state}`, state.endsWith('phone_code') ? { phone: '+855 12 *** 678' } : {}),
  ];
  if (state === 'awaiting_email_code')
    messages[0] = info('registration.state.awaiting_email_code', { email: 'dara@example.com' });
  if (state === 'submitted')
    messages[0] = info('registration.state.submitted', { deadline: '2025-11-05T08:00:00.000Z' });
  if (kind === 'recovery' && state === 'awaiting_liveness')
    messages.push({ id: 'recovery.failed.face_mismatch', type: 'error', context: { triesLeft: 2 } });
  if (state === 'recovered') messages[0] = info('recovery.state.recovered', { hours: 24 });
  if (state === 'referred') messages.push(info('recovery.referred.too_many_failures'));
  return {
    id: ID,
    kind,
    state,
    language: 'km',
    expiresAt: '2025-11-05T08:30:00.000Z',
    step: { index, total: kind === 'registration' ? 4 : 3, titleId },
    ui: { nodes: ui.nodes as UiNode[], actions: ui.actions, messages },
    values: {
      phone: '+85512345678',
      phoneVerified: state !== 'awaiting_phone' && state !== 'awaiting_phone_code',
    },
  } as AnyFlowView;
}

const draw = (view: AnyFlowView, faceIdAvailable: boolean | undefined = true) =>
  renderToStaticMarkup(
    createElement(StepRenderer, {
      view,
      busy: false,
      error: undefined,
      run: async () => undefined,
      fail: () => undefined,
      fieldErrors: {},
      resendAt: {},
      faceIdAvailable,
    }),
  );

/** The panel and the test ids each state must show. */
const EXPECTED: Record<string, [Panel['kind'], string[]]> = {
  awaiting_phone: ['contact', ['input-phone', 'action-send_otp']],
  awaiting_phone_code: [
    'code',
    ['sent-to-phone', 'input-code', 'action-verify', 'action-resend_otp', 'action-change_address'],
  ],
  awaiting_email: ['contact', ['input-email', 'action-send_otp', 'verified-contacts']],
  awaiting_email_code: ['code', ['sent-to-email', 'input-code', 'action-verify', 'action-resend_otp']],
  awaiting_pin: [
    'pin',
    ['pin-input-pin', 'pin-input-pinConfirmation', 'pin-key-0', 'pin-key-9', 'pin-key-back', 'action-next'],
  ],
  awaiting_new_pin: ['pin', ['pin-input-pin', 'pin-input-pinConfirmation', 'action-next']],
  awaiting_face_id: ['face_id', ['action-enable_face_id', 'action-skip']],
  awaiting_liveness: ['liveness', ['liveness-instructions', 'action-new_challenge']],
  awaiting_document: ['document', ['action-scan_document', 'document-manual']],
  awaiting_details: [
    'form',
    [
      'input-gender',
      'input-gender-female',
      'input-khmerSurname',
      'input-latinSurname',
      'input-documentNumber',
      'input-birthDate',
      'action-save_details',
    ],
  ],
  awaiting_consent: ['form', ['input-accepted', 'consent-text', 'action-accept']],
  awaiting_submission: ['form', ['input-accepted', 'action-submit']],
  submitted: ['final', []],
  recovered: ['final', []],
  referred: ['final', []],
};

beforeAll(async () => {
  await initI18n('km');
});

describe('the step renderer', () => {
  for (const [kind, states] of [
    ['registration', REGISTRATION],
    ['recovery', RECOVERY],
  ] as const) {
    for (const state of Object.keys(states)) {
      it(`draws ${kind} ${state} in Khmer`, async () => {
        await setLanguage('km');
        const view = viewOf(kind, state);
        const [panel, ids] = EXPECTED[state]!;
        expect(planStep(view).panel.kind).toBe(panel);
        const html = draw(view);
        expect(html).toContain(`data-testid="step-${kind}-${state}"`);
        expect(html).toContain(`data-panel="${panel}"`);
        for (const id of ids) expect(html, id).toContain(`data-testid="${id}"`);
        // the guide's title, with Khmer digits, and the progress bar
        expect(html).toMatch(/ជំហាន [១២៣៤]\/[៣៤]|រង់ចាំ|ស្ដារ|មន្ត្រី/);
        expect(html).toContain(`aria-valuemax="${kind === 'registration' ? 4 : 3}"`);
        // every message id of the view became Khmer text, none left as an id or a placeholder
        for (const message of view.ui.messages) expect(html).toContain(`data-testid="message-${message.id}"`);
        expect(html).not.toMatch(/\{[a-zA-Z]\w*\}/);
        expect(html).not.toMatch(/>(field|action|registration|recovery|option)\.[a-z_.]+</);
      });
    }
  }

  it('draws English when English is chosen, with Western digits', async () => {
    await setLanguage('en');
    const html = draw(viewOf('registration', 'awaiting_phone'));
    expect(html).toContain('Step 1/4: Contacts');
    expect(html).toContain('Send OTP');
    await setLanguage('km');
    expect(draw(viewOf('registration', 'awaiting_phone'))).toContain('ជំហាន ១/៤៖ ទំនាក់ទំនង');
  });

  it('offers Face ID only when the phone has a platform authenticator', async () => {
    await setLanguage('km');
    const view = viewOf('registration', 'awaiting_face_id');
    expect(draw(view, true)).toContain('data-testid="action-enable_face_id"');
    const without = draw(view, false);
    expect(without).not.toContain('data-testid="action-enable_face_id"');
    expect(without).toContain('data-testid="face-id-unavailable"');
    expect(without).toContain('data-testid="action-skip"');
  });

  it('shows the formatted review deadline and a recovery failure with tries left in Khmer digits', async () => {
    await setLanguage('km');
    const submitted = draw(viewOf('registration', 'submitted'));
    expect(submitted).toContain('ថ្ងៃទី៥ ខែវិច្ឆិកា ឆ្នាំ២០២៥ ម៉ោង ១៥:០០');
    const failed = draw(viewOf('recovery', 'awaiting_liveness'));
    expect(failed).toContain('role="alert"');
    expect(failed).toContain('៖ ២');
  });

  it('keeps the values the server holds when resuming the form', async () => {
    const html = draw(viewOf('registration', 'awaiting_consent'));
    expect(html).toContain('value="សុខ"');
    // Dates as day/month/year in Khmer digits (the form still sends 1990-01-01).
    expect(html).toContain('value="០១/០១/១៩៩០"');
    expect(html).toMatch(/value="female"[^>]*checked|checked[^>]*value="female"/);
    expect(html).toContain('lang="km"');
  });

  it('draws a state it has never seen from its nodes (house-style rule 5)', () => {
    const view = viewOf('registration', 'awaiting_pin');
    const future = { ...view, state: 'awaiting_some_new_pin' } as unknown as AnyFlowView;
    expect(planStep(future).panel.kind).toBe('pin');
    expect(draw(future)).toContain('data-testid="pin-input-pin"');
  });
});
