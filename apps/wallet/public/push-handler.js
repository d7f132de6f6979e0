/**
 * Push notices of the CamDigiKey app, loaded by the generated service worker (importScripts).
 * A notice carries no personal data (push/push.ts): its type, for requests the service's name and
 * the code it shows, for security notices the event. The texts are the app's, in the language the
 * citizen chose, left by the app in IndexedDB (kv "pushTexts"); a click opens the requests (or
 * "Me" for security notices) in the open app window, or a new one.
 */
const DB_NAME = 'camdigikey';
const STORE = 'kv';
const FALLBACK = {
  'push.approval.title': 'CamDigiKey',
  'push.approval.body': '{rp}: {code}',
  'push.signature.title': 'CamDigiKey',
  'push.signature.body': '{rp}: {code}',
  'push.security.title': 'CamDigiKey',
  'push.security.other': 'CamDigiKey',
};

function readTexts() {
  return new Promise((resolve) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onerror = () => resolve(undefined);
    request.onsuccess = () => {
      try {
        const get = request.result.transaction(STORE, 'readonly').objectStore(STORE).get('pushTexts');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    };
  });
}

function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
    values[name] === undefined ? whole : values[name],
  );
}

function notice(data, stored) {
  const texts = Object.assign({}, FALLBACK, stored?.texts ?? {});
  const lang = stored?.lang === 'en' ? 'en' : 'km';
  const rp = data.relyingParty ?? {};
  const rpName = (lang === 'km' && rp.nameKm ? rp.nameKm : rp.name) ?? rp.domain ?? '';
  if (data.type === 'approval_request') {
    return {
      title: texts['push.approval.title'],
      body: fill(texts['push.approval.body'], { rp: rpName, code: data.bindingMessage ?? '' }),
      tag: `approval-${data.id ?? ''}`,
      url: '/app/requests',
      lang,
    };
  }
  if (data.type === 'signature_request') {
    return {
      title: texts['push.signature.title'],
      body: fill(texts['push.signature.body'], { rp: rpName, code: data.verificationCode ?? '' }),
      tag: `signature-${data.id ?? ''}`,
      url: '/app/requests',
      lang,
    };
  }
  const key = `push.security.${data.event}`;
  return {
    title: texts['push.security.title'],
    body: fill(texts[key] ?? texts['push.security.other'], { rp: rpName }),
    tag: `security-${data.event ?? ''}`,
    url: '/app/me',
    lang,
  };
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(
    readTexts().then((stored) => {
      const n = notice(data, stored);
      return self.registration.showNotification(n.title, {
        body: n.body,
        tag: n.tag,
        lang: n.lang,
        icon: '/app/icons/icon-192.png',
        badge: '/app/icons/maskable-192.png',
        data: { url: n.url },
      });
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data?.url ?? '/app/requests';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      for (const client of windows) {
        if (new URL(client.url).pathname.startsWith('/app/') && 'focus' in client) {
          await client.focus();
          if ('navigate' in client) await client.navigate(url);
          return;
        }
      }
      await self.clients.openWindow(url);
    }),
  );
});
