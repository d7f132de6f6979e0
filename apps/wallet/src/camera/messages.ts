/**
 * The camera screens' texts, Khmer first, in the app's catalogue format (flat keys under `camera.`,
 * `{name}` placeholders, i18next with `keySeparator: false` and `{`/`}` interpolation), for the app to
 * merge: `resources.km.translation = { ...appKm, ...km }`. Both files have exactly the same keys
 * (checked here by type and in messages.test.ts).
 */
import en from './messages.en.json';
import km from './messages.km.json';

export type CameraMessageKey = keyof typeof en;

const kmChecked: Record<CameraMessageKey, string> = km;

export { en, kmChecked as km };

const messages = { km: kmChecked, en };
export default messages;
