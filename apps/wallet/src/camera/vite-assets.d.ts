// The one Vite asset import of the camera code (the self-hosted QR reader wasm): its URL as a string.
declare module 'zxing-wasm/reader/zxing_reader.wasm?url' {
  const url: string;
  export default url;
}
