/**
 * Consent remembered per account and relying party (ADR 0016).
 *
 * oidc-provider finds a grant through the browser's session, so each new browser used to ask the
 * citizen again, after the phone had approved the login, for what the relying party had already
 * been given. Now a QR login approved in this very interaction (the phone, with the PIN or Face
 * ID) finds the account's newest live grant for the relying party, and the session gets a grant of
 * its own with the same OpenID scopes and claims (granted and refused): what it covers logs in
 * without the consent page, anything more is asked for as before. Rich authorization details
 * (signature requests) are never carried over: each is consented on its own.
 *
 * A session grant of its own keeps logout as it was (it ends this browser's grant and tokens
 * only). Revoking the relying party in the app (Me, Connections) deletes every grant of the
 * account for it, so the next login asks again. A single sign-on without a new phone approval
 * (the session already exists) does not use this: a relying party new to the session still
 * shows "Continue as".
 */
import { sql } from 'kysely';
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { scopesOfClaims } from './account';
import { providerNow } from './provider-time';

/** What an earlier grant holds that is carried over (the rest of its payload is not). */
interface EarlierGrant {
  openid?: { scope?: string; claims?: string[] };
  rejected?: { openid?: { claims?: string[] } };
}

/** The account's newest live grant for the client, as stored (index: migration 0027). */
async function newestGrant(
  deps: Deps,
  accountId: string,
  clientId: string,
): Promise<EarlierGrant | undefined> {
  const row = await deps.db
    .selectFrom('oidc_payloads')
    .select('payload')
    .where(
      sql<boolean>`kind = 'Grant' and payload->>'accountId' = ${accountId} and payload->>'clientId' = ${clientId}`,
    )
    // A provider record: judged on the provider's clock, like its adapter does (provider-time.ts).
    .where('expires_at', '>', providerNow())
    .orderBy('expires_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.payload as EarlierGrant | undefined;
}

/**
 * The `loadExistingGrant` of the provider: the grant of the consent just given or of the session
 * (oidc-provider's own rule), else, after a QR login approved in this interaction, a grant for the
 * session made from the account's earlier consent to this relying party.
 */
export function loadGrantRemembered(deps: Deps) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { provider, client, session, result } = ctx.oidc;
    if (!client || !session) return undefined;
    const clientId = client.clientId;
    const grantId =
      (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(clientId);
    if (grantId) return provider.Grant.find(grantId);
    const accountId = (result?.login as { accountId?: string } | undefined)?.accountId;
    if (!accountId) return undefined;
    const earlier = await newestGrant(deps, accountId, clientId);
    if (!earlier?.openid?.scope) return undefined;
    // Only what the relying party may still be given: an administrator may have narrowed its
    // scopes since the earlier consent.
    const allowed = new Set(String(client.scope ?? 'openid').split(' '));
    const scope = earlier.openid.scope.split(' ').filter((s) => allowed.has(s));
    if (!scope.includes('openid')) return undefined;
    const claims = earlier.openid.claims ?? [];
    const { refused: noLongerAllowed } = scopesOfClaims(claims, allowed);
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(scope.join(' '));
    const granted = claims.filter((c) => !noLongerAllowed.includes(c));
    if (granted.length) grant.addOIDCClaims(granted);
    const refused = earlier.rejected?.openid?.claims ?? [];
    if (refused.length) grant.rejectOIDCClaims(refused);
    await grant.save();
    await recordAudit(
      deps.db,
      {
        actorType: 'citizen',
        actorId: accountId,
        action: 'consent.remembered',
        subjectType: 'account',
        subjectId: accountId,
        ip: ctx.ip,
        details: { clientId, scopes: scope },
      },
      deps.clock.now(),
    );
    return grant;
  };
}
