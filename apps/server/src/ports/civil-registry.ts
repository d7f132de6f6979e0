/**
 * The civil-registry port: the Ministry of Interior's register of Khmer ID cards (reached over
 * CamDX in production). For an ID number it answers the registered names (Khmer and Latin),
 * gender, dates and the portrait, or that the number is unknown.
 *
 * HTTP contract (JSON, bearer token):
 *   POST {CIVIL_REGISTRY_URL}/v1/id-cards/lookup   { "idNumber": "012345678" }
 *   200 { "idNumber", "khmerSurname", "khmerGivenName", "latinSurname", "latinGivenName",
 *         "gender": "male"|"female", "birthDate", "issueDate", "expiryDate", "portrait"?: base64 JPEG }
 *   404 unknown number.   Anything else, or no answer within the timeout: retried twice
 *   (250 ms, 750 ms), then the evidence says `registry_unavailable` and the job retries later.
 */
export interface RegistryRecord {
  idNumber: string;
  khmerSurname: string;
  khmerGivenName: string;
  latinSurname: string;
  latinGivenName: string;
  gender: 'male' | 'female';
  birthDate: string;
  issueDate: string;
  expiryDate: string;
  portrait?: string;
}

export interface CivilRegistry {
  lookup(idNumber: string): Promise<RegistryRecord | undefined>;
}

export class RegistryUnavailable extends Error {
  override name = 'RegistryUnavailable';
}

export class HttpCivilRegistry implements CivilRegistry {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
    private readonly delaysMs: readonly number[] = [250, 750],
  ) {}

  async lookup(idNumber: string): Promise<RegistryRecord | undefined> {
    let last: unknown;
    for (let attempt = 0; attempt <= this.delaysMs.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.delaysMs[attempt - 1]));
      try {
        const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/id-cards/lookup`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body: JSON.stringify({ idNumber }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status === 404) return undefined;
        if (response.ok) return (await response.json()) as RegistryRecord;
        last = new Error(`registry answered ${response.status}`);
        if (response.status < 500) break;
      } catch (error) {
        last = error;
      }
    }
    throw new RegistryUnavailable('civil registry unavailable', { cause: last });
  }
}
