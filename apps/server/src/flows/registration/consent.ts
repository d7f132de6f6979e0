/**
 * The registration consent. The text lives in the message catalogue under
 * `consent.<version>`; a new wording gets a new version (and a new message id), and a citizen
 * who accepted an older version is asked again (consent_version_outdated).
 */
export const CONSENT_VERSION = 'registration.v1';
export const CONSENT_PURPOSE = 'registration_identity_verification';
