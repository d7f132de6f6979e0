/**
 * Reads a QR code from camera pixels with ZXing-C++ (zxing-wasm's reader build). The wasm module must
 * have been prepared first: by zxing-setup.ts in the browser (self-hosted file, never the CDN
 * default), or with the wasm bytes in Node tests.
 */
import type { ReaderOptions } from 'zxing-wasm/reader';
import { readBarcodes } from 'zxing-wasm/reader';

/** RGBA pixels shaped like ImageData (zxing-wasm reads any object with width, height and data). */
export interface QrImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export const QR_READER_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  maxNumberOfSymbols: 1,
};

/** The text of the first valid QR code in the image, or undefined when there is none. */
export async function decodeQr(image: QrImage): Promise<string | undefined> {
  const results = await readBarcodes(image as unknown as ImageData, QR_READER_OPTIONS);
  return results.find((r) => r.isValid && r.text !== '')?.text;
}
