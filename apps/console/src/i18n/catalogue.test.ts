import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPIRY_KINDS, EXPIRY_LEVELS } from '@camdigikey/contracts/expiry';
import { RECOVERY_REFERRAL_REASONS } from '@camdigikey/contracts/recovery';
import { REJECTION_REASONS, RESUBMISSION_PARTS } from '@camdigikey/contracts/review';
import { REGISTRATION_TRANSITIONS } from '@camdigikey/core/flows/registration';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { km } from './km';

/**
 * The audit actions the server records with the account as subject, which a case's history shows
 * (apps/server/src/console/case-file.ts; review.case_viewed is left out of it).
 */
const ACCOUNT_AUDIT_ACTIONS = [
  'account.status_changed',
  'account.exported',
  'account.media_exported',
  'account.pin_changed',
  'account.recovered',
  'account.locked_by_link',
  'client_api.sign_requested',
  'consent.granted',
  'consent.revoked',
  'demo.account_seeded',
  'device.revoked',
  'face_id.enabled',
  'face_id.disabled',
  'login.scanned',
  'login.scan_refused',
  'login.wrong_code',
  'login.approved',
  'login.rejected',
  'login.completed',
  'login.app_approved',
  'login.app_rejected',
  'login.backchannel_approved',
  'login.backchannel_rejected',
  'login.backchannel_not_me',
  'pin.verified',
  'pin.failed',
  'recovery.referral_resolved',
  'resubmission.started',
  'resubmission.completed',
  'resubmission.refused',
  'review.approve',
  'review.reject',
  'review.resubmit',
  'review.fraud_confirmed',
  'review.fraud_overruled',
  'signature.signed',
  'signature.declined',
  'signature.not_me',
];

const SRC = fileURLToPath(new URL('..', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });

describe('the console catalogue', () => {
  it('has every key in Khmer and English, never empty, with the same placeholders', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const khmer = km[key as keyof typeof km];
      expect(text.trim(), key).not.toBe('');
      expect(khmer?.trim(), key).not.toBe('');
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(holes(khmer), key).toEqual(holes(text));
    }
  });

  it('knows every key the screens ask for', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g))
        used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('has a label for every code of the closed sets the server sends', () => {
    const codes: Record<string, readonly string[]> = {
      role: ['officer', 'supervisor', 'administrator'],
      sla: ['on_time', 'at_risk', 'breached'],
      doc: ['id_card', 'passport'],
      reason: REJECTION_REASONS,
      part: RESUBMISSION_PARTS,
      decision: ['approve', 'reject', 'resubmit'],
      dstate: ['final', 'awaiting_second_officer', 'confirmed', 'overruled'],
      acct: ['pending_review', 'active', 'rejected', 'suspended', 'locked', 'resubmission_requested'],
      ev: ['pass', 'fail', 'review', 'error'],
      evk: ['mrz_form', 'document_ocr', 'face_match', 'liveness', 'duplicate_face', 'registry_match'],
      action: ['turn_left', 'turn_right', 'nod', 'blink'],
      'rr.reason': RECOVERY_REFERRAL_REASONS,
      'rr.outcome': ['passed', 'liveness_failed', 'face_mismatch'],
      'expiry.kind': EXPIRY_KINDS,
      'expiry.level': EXPIRY_LEVELS,
      'case.registry_status': ['found', 'not_found', 'unavailable', 'not_applicable'],
      month: Array.from({ length: 12 }, (_, i) => String(i + 1)),
      day: Array.from({ length: 7 }, (_, i) => String(i + 1)),
      // The case history: every step the registration flow audits (and its draft save), so the
      // officer never reads a raw id such as `registration.details_draft_saved`.
      'hist.registration': [...Object.keys(REGISTRATION_TRANSITIONS), 'started', 'details_draft_saved'],
      // …and what the server audits on the account itself (apps/server/src: subjectType 'account').
      hist: ACCOUNT_AUDIT_ACTIONS,
    };
    const missing = Object.entries(codes).flatMap(([prefix, list]) =>
      list.map((code) => `${prefix}.${code}`).filter((key) => !(key in en)),
    );
    expect(missing).toEqual([]);
  });

  it('has keys under every prefix the screens build keys from', () => {
    const prefixes = new Set<string>();
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:t|label)\(\s*`([a-z_.]+\.)\$\{/g))
        prefixes.add(m[1]!);
    }
    expect(prefixes.size).toBeGreaterThan(5);
    const empty = [...prefixes].filter((prefix) => !Object.keys(en).some((key) => key.startsWith(prefix)));
    expect(empty).toEqual([]);
  });

  it('writes Khmer in Khmer script', () => {
    const latinOnly = Object.entries(km).filter(
      ([key, text]) =>
        !/[\u1780-\u17ff]/.test(text) &&
        !['app.other_language', 'app.signed_in_as', 'common.none'].includes(key),
    );
    expect(latinOnly.map(([key]) => key)).toEqual([]);
  });
});
