/**
 * Which word the phone uses for its biometric unlock: "Face ID" is Apple's name and only iPhones
 * and iPads have it; Android phones unlock with a fingerprint or the face ("face unlock"), so the
 * app says that there (issue 16, item 8). Texts that name it have an `.android` variant.
 */
export type Biometric = 'face_id' | 'android';

export function biometricOf(userAgent: string): Biometric {
  return /iPhone|iPad|iPod|Macintosh/.test(userAgent) ? 'face_id' : 'android';
}

export const biometric = (): Biometric =>
  biometricOf(typeof navigator === 'undefined' ? '' : navigator.userAgent);
