/**
 * Which panel draws a flow view (registration or recovery): decided from the view's nodes and
 * actions only, never from a list of state names, so a state the server adds later is still
 * drawn (house-style rule 5: the server describes the UI, the app draws it).
 *
 *   tel / email input + send_otp                      → contact   (1/4 phone, e-mail; recovery 1/3)
 *   the same with an otp node + verify, resend_otp     → code
 *   pin nodes + next                                   → pin       (PIN and retyped PIN)
 *   webauthn node + enable / register / skip           → face_id   (optional Face ID)
 *   camera node `recording` + new_challenge, submit    → liveness  ("Hold to Record")
 *   camera node `mrz` (+ `photo`) + scan                → document  (ID card or passport)
 *   text / date / select / checkbox + save / accept / submit → form (4/4 details and consent)
 *   no nodes                                           → final     (submitted, recovered, referred)
 */
import type { AnyFlowView, UiAction, UiNode } from '../api/device-api';

export type Panel =
  | { kind: 'contact'; address: UiNode; send: UiAction }
  | {
      kind: 'code';
      address: UiNode;
      code: UiNode;
      verify: UiAction;
      resend: UiAction | undefined;
      change: UiAction | undefined;
    }
  | { kind: 'pin'; pins: UiNode[]; next: UiAction }
  | {
      kind: 'face_id';
      node: UiNode;
      options: UiAction | undefined;
      register: UiAction | undefined;
      skip: UiAction | undefined;
    }
  | { kind: 'liveness'; node: UiNode; challenge: UiAction; submit: UiAction }
  | { kind: 'document'; mrz: UiNode; photo: UiNode | undefined; submit: UiAction }
  | {
      kind: 'form';
      fields: UiNode[];
      consent: UiNode | undefined;
      save: UiAction | undefined;
      accept: UiAction | undefined;
      submit: UiAction | undefined;
    }
  | { kind: 'final'; actions: UiAction[] };

export interface StepPlan {
  titleId: string;
  index: number;
  total: number;
  panel: Panel;
}

const FORM_TYPES = new Set<UiNode['type']>(['text', 'date', 'select', 'checkbox']);

export function planStep(view: AnyFlowView): StepPlan {
  const { nodes, actions } = view.ui;
  const action = (name: string) => actions.find((a) => a.name === name);
  const of = (type: UiNode['type']) => nodes.filter((n) => n.type === type);
  const base = { titleId: view.step.titleId, index: view.step.index, total: view.step.total };
  const fallback = actions[0];

  const plan = (): Panel => {
    if (nodes.length === 0) return { kind: 'final', actions };

    const code = of('otp')[0];
    const address = nodes.find((n) => n.type === 'tel' || n.type === 'email');
    if (code && address) {
      const verify = action('verify') ?? fallback;
      if (verify)
        return {
          kind: 'code',
          address,
          code,
          verify,
          resend: action('resend_otp'),
          change: action('send_otp'),
        };
    }
    const send = action('send_otp');
    if (address && send) return { kind: 'contact', address, send };

    const pins = of('pin');
    const next = action('next') ?? fallback;
    if (pins.length > 0 && next) return { kind: 'pin', pins, next };

    const webauthn = of('webauthn')[0];
    if (webauthn)
      return {
        kind: 'face_id',
        node: webauthn,
        options: action('enable_face_id'),
        register: action('register_face_id'),
        skip: action('skip'),
      };

    const recording = nodes.find((n) => n.type === 'camera' && n.name === 'recording');
    const challenge = action('new_challenge');
    const submitRecording = action('submit');
    if (recording && challenge && submitRecording)
      return { kind: 'liveness', node: recording, challenge, submit: submitRecording };

    const mrz = nodes.find((n) => n.type === 'camera' && n.name === 'mrz');
    const scan = action('scan') ?? fallback;
    if (mrz && scan)
      return {
        kind: 'document',
        mrz,
        photo: nodes.find((n) => n.type === 'camera' && n.name === 'photo'),
        submit: scan,
      };

    const checkbox = of('checkbox')[0];
    return {
      kind: 'form',
      fields: nodes.filter((n) => FORM_TYPES.has(n.type) && n.type !== 'checkbox'),
      consent: checkbox,
      save: action('save_details'),
      accept: action('accept'),
      submit: action('submit'),
    };
  };

  return { ...base, panel: plan() };
}

/** The body of the form step: every field's value as the server names it. */
export function formBody(fields: UiNode[], values: Record<string, string>): Record<string, string> {
  const body: Record<string, string> = {};
  for (const field of fields) body[field.name] = (values[field.name] ?? '').trim();
  return body;
}

/** The starting values of a form: what the server holds for each field. */
export function initialValues(nodes: UiNode[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const node of nodes) if (typeof node.value === 'string') values[node.name] = node.value;
  return values;
}

/** Which OTP channel a contact or code panel is about (for the resend countdown). */
export const channelOf = (address: UiNode): 'phone' | 'email' =>
  address.type === 'email' ? 'email' : 'phone';
