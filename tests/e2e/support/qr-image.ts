/**
 * Reads a QR code from a screenshot the way a phone camera would: decodes the PNG to RGBA with
 * @napi-rs/canvas (on a white border, so a tight quiet zone does not matter) and finds the code
 * with jsQR. The e2e tests take the login QR this way instead of from the page's event stream.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQR from 'jsqr';

export async function decodeQrPng(png: Buffer): Promise<string> {
  const image = await loadImage(png);
  const border = 16;
  const canvas = createCanvas(image.width + 2 * border, image.height + 2 * border);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, border, border);
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  const code = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width, height);
  if (!code) throw new Error(`no QR code found in a ${image.width}x${image.height} screenshot`);
  return code.data;
}
