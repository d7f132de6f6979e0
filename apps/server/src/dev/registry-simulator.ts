/**
 * A civil-registry simulator speaking the HTTP contract of ports/civil-registry.ts, seeded with
 * the synthetic Khmer ID-card holders. `npm start` runs it on loopback in development,
 * and tests start their own and add the citizens (and portraits) they need.
 */
import { CITIZENS, type SyntheticCitizen } from '@camdigikey/demo/citizens';
import Fastify from 'fastify';
import type { RegistryRecord } from '../ports/civil-registry';

export function recordOf(c: SyntheticCitizen, portrait?: Buffer): RegistryRecord {
  return {
    idNumber: c.documentNumber,
    khmerSurname: c.khmerSurname,
    khmerGivenName: c.khmerGivenName,
    latinSurname: c.latinSurname,
    latinGivenName: c.latinGivenName,
    gender: c.gender,
    birthDate: c.birthDate,
    issueDate: c.issueDate,
    expiryDate: c.expiryDate,
    ...(portrait ? { portrait: portrait.toString('base64') } : {}),
  };
}

export async function startRegistrySimulator(
  options: { port?: number; token?: string; seed?: readonly SyntheticCitizen[] } = {},
) {
  const records = new Map<string, RegistryRecord>();
  for (const c of options.seed ?? CITIZENS)
    if (c.documentType === 'id_card') records.set(c.documentNumber, recordOf(c));
  const lookups: string[] = [];
  let failNext = 0;

  const app = Fastify({ logger: false, bodyLimit: 1024 });
  app.post('/v1/id-cards/lookup', async (request, reply) => {
    if (options.token && request.headers.authorization !== `Bearer ${options.token}`)
      return reply.status(401).send({ error: 'unauthorized' });
    if (failNext > 0) {
      failNext--;
      return reply.status(503).send({ error: 'unavailable' });
    }
    const idNumber = String((request.body as { idNumber?: unknown } | undefined)?.idNumber ?? '');
    lookups.push(idNumber);
    const record = records.get(idNumber);
    return record ? record : reply.status(404).send({ error: 'not_found' });
  });
  const address = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return {
    url: address,
    lookups,
    /** Register (or replace) a citizen, optionally with a portrait. */
    add(citizen: SyntheticCitizen, portrait?: Buffer, changes: Partial<RegistryRecord> = {}) {
      records.set(citizen.documentNumber, { ...recordOf(citizen, portrait), ...changes });
    },
    /** Answer 503 to the next `n` lookups. */
    failNext(n: number) {
      failNext = n;
    },
    close: () => app.close(),
  };
}
