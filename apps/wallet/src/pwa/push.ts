/**
 * Web Push (push/push.routes.ts): the server's VAPID key, a subscription of this phone's service
 * worker, handed to the server over the signed device API. Notices carry no personal data; the
 * service worker (public/push-handler.js) shows them in the language chosen in the app, with the
 * texts the app leaves for it in IndexedDB.
 */
import { deviceApi } from '../api/device-api';
import { base64urlToBytes, bytesToBase64url } from '../device/base64url';
import { type AppKey, appText, type Lang } from '../i18n';
import { appState } from '../storage/app-state';
import { kvSet } from '../storage/idb';

export const pushSupported = () =>
  typeof window !== 'undefined' &&
  'serviceWorker' in navigator &&
  'PushManager' in window &&
  'Notification' in window;

const sameKey = (subscription: PushSubscription, key: Uint8Array) => {
  const current = subscription.options.applicationServerKey;
  return current ? bytesToBase64url(current) === bytesToBase64url(key) : false;
};

export async function enablePush(): Promise<'on' | 'denied' | 'unsupported'> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const registration = await navigator.serviceWorker.ready;
  const key = base64urlToBytes((await deviceApi.pushKey()).publicKey);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key,
  });
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth)
    throw new Error('incomplete push subscription');
  await deviceApi.subscribePush({
    endpoint: json.endpoint,
    keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
  });
  await appState.savePush(true);
  return 'on';
}

export async function disablePush(): Promise<void> {
  await deviceApi.unsubscribePush();
  if (pushSupported()) {
    const registration = await navigator.serviceWorker.getRegistration('/app/');
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  }
  await appState.savePush(false);
}

/** The notice texts the service worker shows (it has no i18n of its own). */
export const PUSH_TEXT_KEYS = [
  'push.approval.title',
  'push.approval.body',
  'push.signature.title',
  'push.signature.body',
  'push.security.title',
  'push.security.new_login',
  'push.security.pin_locked',
  'push.security.pin_blocked',
  'push.security.phone_changed',
  'push.security.email_changed',
  'push.security.account_recovered',
  'push.security.other',
] as const satisfies readonly AppKey[];

export async function storePushTexts(lang: Lang): Promise<void> {
  const texts: Record<string, string> = {};
  for (const key of PUSH_TEXT_KEYS) texts[key] = appText(key, lang);
  await kvSet('pushTexts', { lang, texts });
}
