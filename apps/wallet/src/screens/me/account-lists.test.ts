import { describe, expect, it } from 'vitest';
import type { AccountDevice, SsoSession } from '../../api/device-api';
import { sessionMethod, sessionSites, sortDevices, sortSessions } from './account-lists';

const session = (id: string, startedAt: string | null, extra: Partial<SsoSession> = {}): SsoSession => ({
  id,
  startedAt,
  expiresAt: null,
  acr: null,
  amr: [],
  relyingParties: [],
  ...extra,
});

const device = (id: string, extra: Partial<AccountDevice> = {}): AccountDevice => ({
  id,
  createdAt: '2025-01-01T00:00:00.000Z',
  lastSeenAt: null,
  thisDevice: false,
  faceId: false,
  ...extra,
});

describe('active sessions', () => {
  it('lists the newest first, unknown start times last, and does not touch the input', () => {
    const input = [
      session('old-session', '2025-03-01T08:00:00.000Z'),
      session('unknown-start', null),
      session('new-session', '2025-03-02T08:00:00.000Z'),
      session('bad-date', 'yesterday'),
    ];
    const copy = structuredClone(input);
    expect(sortSessions(input).map((s) => s.id)).toEqual([
      'new-session',
      'old-session',
      'bad-date',
      'unknown-start',
    ]);
    expect(input).toEqual(copy);
  });

  it('puts the sessions of this phone first when the server marks them', () => {
    const sorted = sortSessions([
      session('elsewhere', '2025-03-02T08:00:00.000Z'),
      session('here', '2025-03-01T08:00:00.000Z', { thisDevice: true }),
    ]);
    expect(sorted.map((s) => s.id)).toEqual(['here', 'elsewhere']);
  });

  it('shows a service and its API client once', () => {
    const sites = sessionSites({
      relyingParties: [
        { clientId: 'tax-portal', name: 'Tax portal', nameKm: null, domain: 'tax.gov.kh' },
        { clientId: 'api.tax-portal', name: null, nameKm: 'វិបផតថលពន្ធ', domain: null },
        { clientId: 'moh', name: 'Health', domain: 'moh.gov.kh' },
      ],
    });
    expect(sites).toEqual([
      { clientId: 'tax-portal', name: 'Tax portal', nameKm: 'វិបផតថលពន្ធ', domain: 'tax.gov.kh' },
      { clientId: 'moh', name: 'Health', domain: 'moh.gov.kh' },
    ]);
  });

  it('reads how the login was approved from the amr', () => {
    expect(sessionMethod(['qr', 'face', 'hwk', 'user'])).toBe('face_id');
    expect(sessionMethod(['qr', 'pin', 'hwk'])).toBe('pin');
    expect(sessionMethod(['pin', 'hwk'])).toBe('pin');
    expect(sessionMethod([])).toBeUndefined();
    expect(sessionMethod(['otp'])).toBeUndefined();
  });
});

describe('devices', () => {
  it('lists this phone first, then the most recently used, then the newest', () => {
    const sorted = sortDevices([
      device('never-used-old', { createdAt: '2024-01-01T00:00:00.000Z' }),
      device('used-long-ago', { lastSeenAt: '2025-01-02T00:00:00.000Z' }),
      device('this-one', { thisDevice: true, lastSeenAt: '2024-06-01T00:00:00.000Z' }),
      device('used-lately', { lastSeenAt: '2025-05-01T00:00:00.000Z' }),
      device('never-used-new', { createdAt: '2024-09-01T00:00:00.000Z' }),
    ]);
    expect(sorted.map((d) => d.id)).toEqual([
      'this-one',
      'used-lately',
      'used-long-ago',
      'never-used-new',
      'never-used-old',
    ]);
  });

  it('keeps a stable order for equal dates', () => {
    const same = { createdAt: '2025-01-01T00:00:00.000Z', lastSeenAt: '2025-02-01T00:00:00.000Z' };
    expect(sortDevices([device('b', same), device('a', same)]).map((d) => d.id)).toEqual(['a', 'b']);
  });
});
