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
};
