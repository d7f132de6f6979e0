/**
 * Development only (DEMO_DATA=true): synthetic citizens of @camdigikey/demo as accounts, some
 * active and one waiting for review, each with a device key whose private half is written to
 * DATA_DIR/demo-devices.json so a test device can act for them, and a face photo (a drawn,
 * synthetic face: no real person's picture) so the sandbox's `getUserFace` and the `face` scope
 * answer. Their personal codes and PINs are listed for integrators in
 * DATA_DIR/sandbox/demo-citizens.md. Idempotent (an account seeded before without a photo gets one).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CITIZENS } from '@camdigikey/demo/citizens';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { insertAccount } from '../accounts/create-account';
import { accountByContact } from '../accounts/personal-data';
import { appendAudit } from '../audit/audit-log';
import { reviewDeadline } from '../calendar/review-calendar';
import type { Deps } from '../deps';
import { CONSENT_PURPOSE, CONSENT_VERSION } from '../flows/registration/consent';
import { latestAccountBlob, storeBlob } from '../uploads/blobs';

const DEMO_COUNT = 4;

export async function seedDemoData(deps: Deps): Promise<void> {
  const devices: Record<string, unknown>[] = [];
  for (const [i, c] of CITIZENS.slice(0, DEMO_COUNT).entries()) {
    const { normalizePhone } = await import('@camdigikey/core/identity/phone');
    const phone = normalizePhone(c.phone);
    if (!phone.ok) continue;
    const exists = await accountByContact(deps.db, deps, 'phone', phone.value.e164)
      .select('id')
      .executeTakeFirst();
    if (exists) {
      await ensureFacePhoto(deps, exists.id);
      continue;
    }
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
    const now = deps.clock.now();
    const status = i === DEMO_COUNT - 1 ? 'pending_review' : 'active';
    const deadline = await reviewDeadline(deps.db, deps.config.review, now);
    const { accountId } = await deps.db.transaction().execute(async (trx) => {
      const created = await insertAccount(
        trx,
        deps,
        {
          status,
          language: 'km',
          phoneE164: phone.value.e164,
          email: c.email,
          khmerSurname: c.khmerSurname,
          khmerGivenName: c.khmerGivenName,
          latinSurname: c.latinSurname,
          latinGivenName: c.latinGivenName,
          gender: c.gender,
          birthDate: c.birthDate,
          nationality: c.nationality,
          documentType: c.documentType,
          issuingState: c.documentType === 'id_card' ? 'KHM' : c.nationality,
          documentNumber: c.documentNumber,
          issueDate: c.issueDate,
          expiryDate: c.expiryDate,
          mrz: c.mrz.join('\n'),
          reviewFlags: [],
          pinVerifier: await deps.pins.hash(c.pin),
          submittedAt: now,
          reviewDeadline: deadline,
          device: { thumbprint, jwk: { ...jwk } },
          consent: { purpose: CONSENT_PURPOSE, version: CONSENT_VERSION, language: 'km', acceptedAt: now },
        },
        now,
      );
      await appendAudit(
        trx,
        {
          actorType: 'system',
          action: 'demo.account_seeded',
          subjectType: 'account',
          subjectId: created.accountId,
        },
        now,
      );
      return created;
    });
    await ensureFacePhoto(deps, accountId);
    devices.push({
      accountId,
      status,
      phone: phone.value.e164,
      pin: c.pin,
      privateJwk: await exportJWK(privateKey),
    });
  }
  if (devices.length > 0) {
    mkdirSync(deps.config.database.dataDir, { recursive: true });
    writeFileSync(join(deps.config.database.dataDir, 'demo-devices.json'), JSON.stringify(devices, null, 2), {
      mode: 0o600,
    });
    deps.logger.info({ accounts: devices.length }, 'demo accounts seeded');
  }
  await writeDemoCitizens(deps);
}

/** The demo account's face photo (purpose `selfie`), drawn once if it has none. */
async function ensureFacePhoto(deps: Deps, accountId: string): Promise<void> {
  if (await latestAccountBlob(deps.db, deps.envelope, accountId, 'selfie')) return;
  // Loaded only here: the drawing needs the canvas, which a server without demo data never loads.
  const { renderFaceFrame } = await import('@camdigikey/demo/face-frames');
  await storeBlob(deps.db, deps.envelope, {
    ownerType: 'account',
    ownerId: accountId,
    purpose: 'selfie',
    mediaType: 'image/jpeg',
    bytes: renderFaceFrame('center', 480),
    now: deps.clock.now(),
  });
}

/**
 * DATA_DIR/sandbox/demo-citizens.md: who an integrator can log in as in the sandbox (the device CLI's
 * `--as <n>`), with the personal code a `lookupUserProfile` takes and the PIN. Development data only.
 */
async function writeDemoCitizens(deps: Deps): Promise<void> {
  const rows: string[] = [];
  for (const [i, c] of CITIZENS.slice(0, DEMO_COUNT).entries()) {
    const { normalizePhone } = await import('@camdigikey/core/identity/phone');
    const phone = normalizePhone(c.phone);
    if (!phone.ok) continue;
    const account = await accountByContact(deps.db, deps, 'phone', phone.value.e164)
      .select(['id', 'status'])
      .executeTakeFirst();
    if (!account) continue;
    rows.push(
      `| ${i} | ${c.khmerSurname} ${c.khmerGivenName} / ${c.latinSurname} ${c.latinGivenName} | ${phone.value.e164} | ${c.documentType} ${c.documentNumber} | ${c.pin} | ${account.status} | ${account.id} |`,
    );
  }
  const dir = join(deps.config.database.dataDir, 'sandbox');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, 'demo-citizens.md'),
    [
      '# Demo citizens (development data, synthetic people)',
      '',
      'Log in as one of them with `npx camdigikey-device approve --as <n>` (n from the first column).',
      'The personal code is what `lookupUserProfile(accessToken, personalCode)` takes; every one has a',
      'face photo (a drawn face), so `getUserFace` answers for them.',
      '',
      '| n | name (Khmer / Latin) | phone | personal code | PIN | status | CamDigiKey ID |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}
