/** Types for `http_ece` (RFC 8188 encrypted content encoding), used by the test push service. */
declare module 'http_ece' {
  interface EceParams {
    version: 'aes128gcm' | 'aesgcm';
    privateKey?: unknown;
    authSecret?: Buffer;
    dh?: Buffer;
  }
  const ece: {
    decrypt(buffer: Buffer, params: EceParams): Buffer;
    encrypt(buffer: Buffer, params: EceParams): Buffer;
  };
  export default ece;
}
