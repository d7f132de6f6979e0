/**
 * A small key-value store on IndexedDB (one database, one object store). Values are stored by
 * structured clone, which keeps a non-extractable CryptoKey non-extractable: the device's private
 * key lives here and nowhere else. The service worker reads the same store (push texts).
 */
export const DB_NAME = 'camdigikey';
export const STORE = 'kv';

let opening: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export const kvGet = <T>(key: string): Promise<T | undefined> =>
  run('readonly', (store) => store.get(key) as IDBRequest<T | undefined>);

export const kvSet = async (key: string, value: unknown): Promise<void> => {
  await run('readwrite', (store) => store.put(value, key));
};

export const kvDelete = async (key: string): Promise<void> => {
  await run('readwrite', (store) => store.delete(key));
};
