/**
 * Loads the QR reader's WebAssembly from the app's own origin. zxing-wasm fetches its .wasm from
 * jsDelivr unless told otherwise; the app must never reach a CDN, so the file is bundled by Vite
 * (`?url`) and handed to Emscripten through `locateFile`.
 */
import type { ZXingModuleOverrides } from 'zxing-wasm/reader';
import { prepareZXingModule, purgeZXingModule } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

const OVERRIDES: ZXingModuleOverrides = {
  locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path),
};

let loading: Promise<unknown> | undefined;

/** Starts (once) and awaits the wasm module; a failed load can be retried. */
export function loadQrReader(): Promise<unknown> {
  loading ??= prepareZXingModule({ overrides: OVERRIDES, fireImmediately: true }).catch((error: unknown) => {
    loading = undefined;
    // Forget the failed instance but keep pointing at the self-hosted file.
    purgeZXingModule();
    prepareZXingModule({ overrides: OVERRIDES, fireImmediately: false });
    throw error;
  });
  return loading;
}
