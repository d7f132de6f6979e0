/**
 * The ordered list of migrations. Append only: add a new file and a new line, never edit one
 * that has been released (house-style rule 14). CI migrates a fresh schema up, down and up again.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';
import * as m0002 from './0002_oidc_and_login';
import * as m0003 from './0003_evidence';
import * as m0004 from './0004_officers';
import * as m0005 from './0005_resubmission';
import * as m0006 from './0006_client_api';
import * as m0007 from './0007_backchannel';
import * as m0008 from './0008_push';
import * as m0009 from './0009_recovery';
import * as m0010 from './0010_liveness_binding';
import * as m0015 from './0015_relying_party_khmer_identity';
import * as m0018 from './0018_signing';
import * as m0019 from './0019_financial_grade';
import * as m0020 from './0020_audit_keyed_chain';
import * as m0021 from './0021_pairwise_subjects';
import * as m0022 from './0022_personal_data_sealed';
import * as m0023 from './0023_durable_hot_state';
import * as m0024 from './0024_otp_targets_keyed';
import * as m0025 from './0025_client_auth_attempts';
import * as m0026 from './0026_audit_single_link';
import * as m0027 from './0027_grants_by_account';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_oidc_and_login': m0002,
  '0003_evidence': m0003,
  '0004_officers': m0004,
  '0005_resubmission': m0005,
  '0006_client_api': m0006,
  '0007_backchannel': m0007,
  '0008_push': m0008,
  '0009_recovery': m0009,
  '0010_liveness_binding': m0010,
  '0015_relying_party_khmer_identity': m0015,
  '0018_signing': m0018,
  '0019_financial_grade': m0019,
  '0020_audit_keyed_chain': m0020,
  '0021_pairwise_subjects': m0021,
  '0022_personal_data_sealed': m0022,
  '0023_durable_hot_state': m0023,
  '0024_otp_targets_keyed': m0024,
  '0025_client_auth_attempts': m0025,
  '0026_audit_single_link': m0026,
  '0027_grants_by_account': m0027,
};
