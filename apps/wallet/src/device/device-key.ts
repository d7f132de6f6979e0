/**
 * The device key (architecture.md, decision 7): one P-256 key pair per installation, created
 * with WebCrypto as non-extractable and kept in IndexedDB. The private key never leaves the
 * browser's key store; only the public JWK is ever exported. A new key (a "new phone") is made
 * only when the citizen starts over after a rejected registration.
 */
import { kvDelete, kvGet, kvSet } from '../storage/idb';
import { type PublicJwk, publicJwkOf } from './proof';

const KEY = 'deviceKey';

export interface DeviceKey {
  privateKey: CryptoKey;
  jwk: PublicJwk;
}

let current: Promise<DeviceKey> | undefined;

async function loadOrCreate(): Promise<DeviceKey> {
  const stored = await kvGet<CryptoKeyPair>(KEY);
  if (stored?.privateKey && stored.publicKey) {
    return { privateKey: stored.privateKey, jwk: await publicJwkOf(stored.publicKey) };
  }
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await kvSet(KEY, pair);
  return { privateKey: pair.privateKey, jwk: await publicJwkOf(pair.publicKey) };
}

export function deviceKey(): Promise<DeviceKey> {
  current ??= loadOrCreate();
  current.catch(() => {
    current = undefined;
  });
  return current;
}

/** Forget this installation's key; the next call creates a new one. */
export async function replaceDeviceKey(): Promise<void> {
  current = undefined;
  await kvDelete(KEY);
}
