/**
 * The demo portal's own Khmer/English dictionary: every string a visitor sees comes from here, so
 * the portal reads like a Cambodian ministry site in either language (Khmer by default). It is
 * deliberately independent of @camdigikey/messages — a relying party does not share our catalogue.
 */

export type Lang = 'km' | 'en';

export const LANGS: readonly Lang[] = ['km', 'en'];

/** A text given in both languages (e.g. the portal's name). */
export interface Bilingual {
  km: string;
  en: string;
}

const en = {
  'site.default_name': 'Ministry of Commerce — Business Registration',
  'site.language': 'ភាសាខ្មែរ',
  'site.footer': 'A demonstration portal. It logs in with CamDigiKey, the national digital identity.',
  'home.intro': 'Log in with your CamDigiKey to use the online services of this portal.',
  'home.login': 'Log in with CamDigiKey',
  'home.login_hint': 'You will scan a QR code with the CamDigiKey app on your phone.',
  'home.welcome': 'Welcome',
  'home.logged_in': 'You are logged in with CamDigiKey.',
  'home.name_km': 'Name (Khmer)',
  'home.name_latin': 'Name (Latin)',
  'home.birthdate': 'Date of birth',
  'home.subject': 'Account identifier',
  'home.method': 'Login method',
  'home.logout': 'Log out',
  'home.unknown': '—',
  'acr.qr_pin': 'QR code and PIN',
  'acr.qr_face_id': 'QR code and Face ID',
  'acr.sso': 'Already logged in to CamDigiKey',
  'error.title': 'The login did not complete',
  'error.access_denied': 'The login was declined or cancelled in CamDigiKey.',
  'error.login_required': 'You need to log in again.',
  'error.session': 'Your login session has expired. Please start again.',
  'error.generic': 'CamDigiKey could not log you in. Please try again.',
  'error.code': 'Error code: {code}',
  'error.back': 'Back to the home page',
  'error.retry': 'Try again',
  'error.not_found': 'Page not found',
  'home.login_classic': 'Log in with CamDigiKey (client library)',
  'home.app_demo': 'Try the app-to-app login',
  'acr.client_api': 'CamDigiKey client library (QR code and PIN)',
  'acr.app_to_app': 'The CamDigiKey app on this phone',
  'app.title': 'Mobile app login (demonstration)',
  'app.intro':
    'A mobile app opens the CamDigiKey app with this link. The citizen approves there, and the CamDigiKey app returns here.',
  'app.open': 'Open the CamDigiKey app',
  'app.open_web': 'Open the CamDigiKey web app',
  'app.token': 'Login token for the CamDigiKey app',
  'app.waiting': 'Waiting for the CamDigiKey app to return…',
  'error.client_api': 'CamDigiKey refused the login: {message}',
  'home.sign_loan': 'Sign your loan contract',
  'sign.title': 'Sign your loan contract',
  'sign.intro':
    'Your loan is approved. Read the terms, then sign the contract with the CamDigiKey app on your phone.',
  'sign.borrower': 'Borrower',
  'sign.amount': 'Amount',
  'sign.amount_value': '{amount} USD',
  'sign.term': 'Term',
  'sign.term_value': '{months} months',
  'sign.rate': 'Interest',
  'sign.rate_value': '{rate}% per month',
  'sign.request': 'Sign with CamDigiKey',
  'sign.request_hint': 'CamDigiKey shows the contract on your phone; you sign it with your PIN.',
  'sign.needs_client_api': 'To sign, log in with CamDigiKey through the client library.',
  'sign.contract_title': 'Loan contract {number}',
  'sign.contract': 'Contract number',
  'sign.file': 'File',
  'sign.code': 'Verification code',
  'sign.code_hint': 'Sign only if the CamDigiKey app shows the same code.',
  'sign.status': 'Status',
  'sign.state.pending': 'Waiting for your signature in the CamDigiKey app…',
  'sign.state.signed': 'Signed. The contract carries your CamDigiKey signature.',
  'sign.state.declined': 'You declined to sign in the CamDigiKey app.',
  'sign.state.expired': 'The request expired before it was signed.',
  'sign.state.failed': "The signature did not pass the bank's checks. The contract is not signed.",
  'sign.signer': 'Signed by',
  'sign.download': 'Download the signed contract (PDF)',
  'sign.again': 'Start a new signature request',
  'sign.unreachable': 'CamDigiKey could not be reached. This page tries again.',
  'sign.statement':
    'I, {borrower}, agree to borrow **{amount} USD** from {bank} over {months} months at {rate}% per month under loan contract {number}.',
  'sign.error.title': 'The signature request did not start',
  'sign.error.refused': 'CamDigiKey cannot take a signature request for you now. Please try again later.',
  'sign.error.generic': 'CamDigiKey could not start the signature request. Please log in again and retry.',
} as const;

export type MessageKey = keyof typeof en;

const km: Record<MessageKey, string> = {
  'site.default_name': 'ក្រសួងពាណិជ្ជកម្ម — ការចុះបញ្ជីអាជីវកម្ម',
  'site.language': 'English',
  'site.footer': 'វិបផតថលសាកល្បង។ វាចូលប្រើដោយ CamDigiKey ដែលជាអត្តសញ្ញាណឌីជីថលជាតិ។',
  'home.intro': 'ចូលប្រើដោយ CamDigiKey របស់លោកអ្នក ដើម្បីប្រើប្រាស់សេវាអនឡាញរបស់វិបផតថលនេះ។',
  'home.login': 'ចូលប្រើជាមួយ CamDigiKey',
  'home.login_hint': 'លោកអ្នកនឹងស្កែនកូដ QR ដោយកម្មវិធី CamDigiKey នៅលើទូរស័ព្ទរបស់លោកអ្នក។',
  'home.welcome': 'សូមស្វាគមន៍',
  'home.logged_in': 'លោកអ្នកបានចូលប្រើដោយ CamDigiKey។',
  'home.name_km': 'ឈ្មោះ (ខ្មែរ)',
  'home.name_latin': 'ឈ្មោះ (ឡាតាំង)',
  'home.birthdate': 'ថ្ងៃខែឆ្នាំកំណើត',
  'home.subject': 'លេខសម្គាល់គណនី',
  'home.method': 'វិធីចូលប្រើ',
  'home.logout': 'ចាកចេញ',
  'home.unknown': '—',
  'acr.qr_pin': 'កូដ QR និងលេខកូដសម្ងាត់ (PIN)',
  'acr.qr_face_id': 'កូដ QR និង Face ID',
  'acr.sso': 'បានចូលប្រើ CamDigiKey រួចហើយ',
  'error.title': 'ការចូលប្រើមិនបានបញ្ចប់ទេ',
  'error.access_denied': 'ការចូលប្រើត្រូវបានបដិសេធ ឬលុបចោលនៅក្នុង CamDigiKey។',
  'error.login_required': 'លោកអ្នកត្រូវចូលប្រើម្តងទៀត។',
  'error.session': 'វគ្គចូលប្រើរបស់លោកអ្នកបានផុតកំណត់។ សូមចាប់ផ្តើមម្តងទៀត។',
  'error.generic': 'CamDigiKey មិនអាចឱ្យលោកអ្នកចូលប្រើបានទេ។ សូមព្យាយាមម្តងទៀត។',
  'error.code': 'លេខកូដកំហុស៖ {code}',
  'error.back': 'ត្រឡប់ទៅទំព័រដើម',
  'error.retry': 'ព្យាយាមម្តងទៀត',
  'error.not_found': 'រកមិនឃើញទំព័រ',
  'home.login_classic': 'ចូលប្រើជាមួយ CamDigiKey (បណ្ណាល័យអតិថិជន)',
  'home.app_demo': 'សាកល្បងការចូលប្រើពីកម្មវិធីទៅកម្មវិធី',
  'acr.client_api': 'បណ្ណាល័យអតិថិជន CamDigiKey (កូដ QR និងលេខកូដសម្ងាត់)',
  'acr.app_to_app': 'កម្មវិធី CamDigiKey នៅលើទូរស័ព្ទនេះ',
  'app.title': 'ការចូលប្រើពីកម្មវិធីទូរស័ព្ទ (សាកល្បង)',
  'app.intro': 'កម្មវិធីទូរស័ព្ទមួយបើកកម្មវិធី CamDigiKey ដោយតំណនេះ។ ពលរដ្ឋយល់ព្រមនៅទីនោះ ហើយកម្មវិធី CamDigiKey ត្រឡប់មកទីនេះវិញ។',
  'app.open': 'បើកកម្មវិធី CamDigiKey',
  'app.open_web': 'បើកកម្មវិធីគេហទំព័រ CamDigiKey',
  'app.token': 'សញ្ញាសម្គាល់ចូលប្រើសម្រាប់កម្មវិធី CamDigiKey',
  'app.waiting': 'កំពុងរង់ចាំកម្មវិធី CamDigiKey ត្រឡប់មកវិញ…',
  'error.client_api': 'CamDigiKey បានបដិសេធការចូលប្រើ៖ {message}',
  'home.sign_loan': 'ចុះហត្ថលេខាលើកិច្ចសន្យាខ្ចីប្រាក់របស់លោកអ្នក',
  'sign.title': 'ចុះហត្ថលេខាលើកិច្ចសន្យាខ្ចីប្រាក់របស់លោកអ្នក',
  'sign.intro':
    'ប្រាក់កម្ចីរបស់លោកអ្នកត្រូវបានអនុម័ត។ សូមអានលក្ខខណ្ឌ រួចចុះហត្ថលេខាលើកិច្ចសន្យាដោយកម្មវិធី CamDigiKey នៅលើទូរស័ព្ទរបស់លោកអ្នក។',
  'sign.borrower': 'អ្នកខ្ចី',
  'sign.amount': 'ចំនួនទឹកប្រាក់',
  'sign.amount_value': '{amount} ដុល្លារអាមេរិក',
  'sign.term': 'រយៈពេល',
  'sign.term_value': '{months} ខែ',
  'sign.rate': 'ការប្រាក់',
  'sign.rate_value': '{rate}% ក្នុងមួយខែ',
  'sign.request': 'ចុះហត្ថលេខាជាមួយ CamDigiKey',
  'sign.request_hint': 'CamDigiKey បង្ហាញកិច្ចសន្យានៅលើទូរស័ព្ទរបស់លោកអ្នក ហើយលោកអ្នកចុះហត្ថលេខាដោយលេខកូដសម្ងាត់ (PIN)។',
  'sign.needs_client_api': 'ដើម្បីចុះហត្ថលេខា សូមចូលប្រើជាមួយ CamDigiKey តាមរយៈបណ្ណាល័យអតិថិជន។',
  'sign.contract_title': 'កិច្ចសន្យាខ្ចីប្រាក់ {number}',
  'sign.contract': 'លេខកិច្ចសន្យា',
  'sign.file': 'ឯកសារ',
  'sign.code': 'លេខកូដផ្ទៀងផ្ទាត់',
  'sign.code_hint': 'សូមចុះហត្ថលេខា លុះត្រាតែកម្មវិធី CamDigiKey បង្ហាញលេខកូដដូចគ្នា។',
  'sign.status': 'ស្ថានភាព',
  'sign.state.pending': 'កំពុងរង់ចាំហត្ថលេខារបស់លោកអ្នកនៅក្នុងកម្មវិធី CamDigiKey…',
  'sign.state.signed': 'បានចុះហត្ថលេខា។ កិច្ចសន្យាមានហត្ថលេខា CamDigiKey របស់លោកអ្នក។',
  'sign.state.declined': 'លោកអ្នកបានបដិសេធមិនចុះហត្ថលេខានៅក្នុងកម្មវិធី CamDigiKey។',
  'sign.state.expired': 'សំណើបានផុតកំណត់ មុនពេលចុះហត្ថលេខា។',
  'sign.state.failed': 'ហត្ថលេខាមិនបានឆ្លងកាត់ការត្រួតពិនិត្យរបស់ធនាគារទេ។ កិច្ចសន្យាមិនទាន់បានចុះហត្ថលេខាទេ។',
  'sign.signer': 'ចុះហត្ថលេខាដោយ',
  'sign.download': 'ទាញយកកិច្ចសន្យាដែលបានចុះហត្ថលេខា (PDF)',
  'sign.again': 'ចាប់ផ្តើមសំណើចុះហត្ថលេខាថ្មី',
  'sign.unreachable': 'មិនអាចភ្ជាប់ទៅ CamDigiKey បានទេ។ ទំព័រនេះនឹងព្យាយាមម្តងទៀត។',
  'sign.statement':
    'ខ្ញុំ {borrower} យល់ព្រមខ្ចីប្រាក់ **{amount} ដុល្លារអាមេរិក** ពី {bank} រយៈពេល {months} ខែ ដោយការប្រាក់ {rate}% ក្នុងមួយខែ តាមកិច្ចសន្យាខ្ចីប្រាក់ {number}។',
  'sign.error.title': 'សំណើចុះហត្ថលេខាមិនបានចាប់ផ្តើមទេ',
  'sign.error.refused': 'CamDigiKey មិនអាចទទួលសំណើចុះហត្ថលេខាសម្រាប់លោកអ្នកនៅពេលនេះទេ។ សូមព្យាយាមម្តងទៀតពេលក្រោយ។',
  'sign.error.generic': 'CamDigiKey មិនអាចចាប់ផ្តើមសំណើចុះហត្ថលេខាបានទេ។ សូមចូលប្រើម្តងទៀត ហើយព្យាយាមម្តងទៀត។',
};

const DICTIONARY: Record<Lang, Record<MessageKey, string>> = { km, en };

/** The text of `key` in `lang`, with `{name}` placeholders filled (not HTML-escaped). */
export function tr(lang: Lang, key: MessageKey, params: Record<string, string> = {}): string {
  return DICTIONARY[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

export function isLang(value: unknown): value is Lang {
  return value === 'km' || value === 'en';
}

export function otherLang(lang: Lang): Lang {
  return lang === 'km' ? 'en' : 'km';
}
