import { describe, expect, it } from 'vitest';
import { responseFromXhr } from './device-client';

describe('an upload answered through XMLHttpRequest (for its progress events)', () => {
  it('becomes the same Response as fetch would give: status, headers (the next nonce) and body', async () => {
    const response = responseFromXhr(
      409,
      'content-type: application/json\r\nDevice-Nonce: n-123\r\nx-empty:\r\n',
      '{"error":{"code":"flow_conflict"}}',
    );
    expect(response.status).toBe(409);
    expect(response.headers.get('device-nonce')).toBe('n-123');
    expect(await response.json()).toEqual({ error: { code: 'flow_conflict' } });
    expect(responseFromXhr(204, '', '').body).toBeNull();
  });
});
