/**
 * English texts, keyed by message id. The Khmer catalogue (km.ts) must have exactly the same
 * keys: the type of `km` enforces it at compile time and catalogue.test.ts at run time.
 * Placeholders are written `{name}` and filled by `format`.
 */
export const en = {
  // errors: generic
  'error.validation_failed': 'Some of the information is not valid. Please check the highlighted fields.',
  'error.request_malformed': 'This request is not well formed and cannot be processed.',
  'error.unauthorized': 'Please sign in again.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.not_found': 'We could not find what you asked for.',
  'error.method_not_allowed': 'This action is not available here.',
  'error.conflict': 'This was changed at the same time somewhere else. Please try again.',
  'error.payload_too_large': 'The data you sent is too large.',
  'error.unsupported_media_type': 'This kind of data is not accepted here.',
  'error.rate_limited': 'Too many attempts. Please wait a moment and try again.',
  'error.internal_error': 'Something went wrong on our side. Please try again later.',
  'error.service_unavailable': 'The service is temporarily unavailable. Please try again later.',
  // errors: flows
  'error.flow_not_found': 'This registration was not found. Please start again.',
  'error.flow_expired': 'This registration expired after 30 minutes without activity. Please start again.',
  'error.flow_step_out_of_order': 'Please finish the current step first.',
  'error.flow_conflict': 'This step was just submitted from another request. Please reload.',
  // errors: device binding
  'error.device_proof_missing': 'This request must be signed by the CamDigiKey app.',
  'error.device_proof_invalid': 'The app signature of this request is not valid.',
  'error.device_proof_expired':
    'The app signature has expired. Please check the time on your phone and try again.',
  'error.device_proof_replayed': 'This request was already received once.',
  'error.device_proof_nonce_invalid': 'The request is out of date. Please try again.',
  'error.device_proof_mismatch': 'The app signature does not match this request.',
  'error.device_key_unknown': 'This phone is not registered with CamDigiKey.',
  'error.device_key_mismatch': 'This registration was started on another phone.',
  // errors: contacts and OTP
  'error.phone_invalid': 'Please enter a valid phone number, for example 012 345 678.',
  'error.phone_not_mobile': 'Please enter a mobile phone number that can receive SMS.',
  'error.email_invalid': 'Please enter a valid e-mail address.',
  'error.otp_not_sent': 'Please ask for a code first.',
  'error.otp_invalid': 'The code is not correct. {attemptsLeft} attempts left.',
  'error.otp_expired': 'The code has expired. Please ask for a new one.',
  'error.otp_locked': 'Too many wrong codes. Please try again in {retryAfterMinutes} minutes.',
  'error.otp_resend_too_soon': 'Please wait {retryAfterSeconds} seconds before asking for a new code.',
  'error.otp_send_limit':
    'Too many codes were sent to this address. Please try again in {retryAfterMinutes} minutes.',
  // errors: PIN
  'error.pin_format': 'The PIN must be exactly 6 digits.',
  'error.pin_mismatch': 'The two PINs are not the same.',
  'error.pin_too_simple': 'This PIN is too easy to guess. Please choose another one.',
  'error.pin_is_birth_date': 'Do not use your date of birth as your PIN. Please choose another one.',
  // errors: Face ID
  'error.webauthn_failed': 'Face ID could not be set up. You can try again or continue without it.',
  'error.webauthn_failed.android':
    'Fingerprint or face unlock could not be set up. You can try again or continue without it.',
  // errors: liveness and uploads
  'error.liveness_challenge_invalid':
    'This recording does not belong to the current face check. Please record again.',
  'error.liveness_challenge_expired': 'The face check took too long. Please record again.',
  'error.liveness_recording_invalid': 'The recording could not be used. Please record again.',
  // errors: selfie quality (what to fix before taking the selfie again)
  'error.selfie_no_face':
    'We could not find your face in the photo. Hold the phone in front of your face and try again.',
  'error.selfie_multiple_faces':
    'There is more than one face in the photo. Make sure only you are in the picture.',
  'error.selfie_face_too_small': 'Your face is too small in the photo. Hold the phone closer to your face.',
  'error.selfie_face_off_axis': 'Look straight at the camera with your head level, then try again.',
  'error.selfie_blurred': 'The photo is blurred. Hold the phone still, wipe the camera lens and try again.',
  'error.selfie_too_dark': 'The photo is too dark. Move to a brighter place, facing the light.',
  'error.selfie_overexposed':
    'The photo is too bright. Avoid strong light on your face or a bright window behind you.',
  'error.selfie_eyes_closed': 'Your eyes look closed. Keep your eyes open and look at the camera.',
  'error.liveness_challenge_limit':
    'You have asked for {limit} face checks in the last hour. Please wait {retryAfterMinutes} minutes, then try again.',
  'error.upload_too_large': 'The file is too large.',
  'error.upload_not_image': 'The file is not a photo. Please take the picture again.',
  // errors: identity document
  'error.mrz_format': 'The code at the bottom of the document could not be read. Please scan it again.',
  'error.mrz_check_digit': 'The code at the bottom of the document is not consistent. Please scan it again.',
  'error.mrz_date_invalid': 'A date in the document code is not valid.',
  'error.document_type_unsupported': 'Please use a Cambodian ID card or a passport.',
  'error.document_expired': 'This document has expired. Please use a valid document.',
  'error.holder_under_age': 'You must be at least 15 years old to register.',
  'error.document_already_registered':
    'This document is already used by a CamDigiKey account. If it is yours, use "Existing User" to recover it.',
  // errors: the form
  'error.khmer_name_required': 'Please enter your name in Khmer.',
  'error.khmer_name_invalid': 'Please write this name in Khmer script only.',
  'error.khmer_name_too_long': 'This name is too long.',
  'error.latin_name_required': 'Please enter your name in Latin letters.',
  'error.latin_name_invalid': 'Please use Latin letters A–Z only.',
  'error.latin_name_too_long': 'This name is too long.',
  'error.date_invalid': 'Please enter a valid date.',
  'error.document_number_invalid': 'Please enter the document number as printed.',
  'error.gender_invalid': 'Please choose male or female.',
  // errors: consent and submission
  'error.consent_required': 'Please confirm that the information is true and correct.',
  'error.consent_version_outdated': 'The terms have changed. Please read and accept them again.',
  'error.registration_incomplete': 'Some steps of the registration are not finished yet.',
  // errors: administration
  'error.holiday_invalid': 'The holiday list is not valid.',
  'error.relying_party_invalid': 'The service registration is not valid.',
  'error.relying_party_unservable':
    'This service registration cannot be served by the login provider, so it was not saved. Please change the settings named in the details.',
  'error.login_request_not_found': 'This login request was not found. Please scan the QR code again.',
  'error.login_request_expired': 'This login request has expired. Please ask the website for a new QR code.',
  'error.login_request_claimed': 'This QR code was already scanned by another phone.',
  'error.login_request_cancelled':
    'This login was cancelled. Please start again on the website and scan the new QR code.',
  'error.app_login_not_registered':
    'This app is not set up yet to log in with the CamDigiKey app, so CamDigiKey cannot take you back to it. Nothing was shared. Its makers have been told; you can log in on its website instead.',
  'error.login_not_approved': 'This login has not been approved on the phone.',
  'error.qr_invalid': 'This is not a CamDigiKey login QR code.',
  'error.qr_expired': 'This QR code is too old. Please scan the code currently shown on the website.',
  'error.login_wrong_code':
    'The code you chose does not match the website. The login was cancelled for your safety.',
  'error.account_not_active': 'Your account cannot be used to log in yet.',
  'error.pin_invalid': 'The PIN is not correct. {attemptsLeft} attempts left before it is locked.',
  'error.pin_locked': 'Too many wrong PINs. Please try again in {retryAfterMinutes} minutes.',
  'error.pin_blocked': 'Too many wrong PINs. Please recover your account with "Existing User".',

  // registration: steps (the guide's "Step n/4")
  'registration.step.contacts': 'Step 1/4: Contacts',
  'registration.step.pin': 'Step 1/4: Your PIN',
  'registration.step.face': 'Step 2/4: Live face scan',
  'registration.step.face_id': 'Step 2/4: Face ID',
  'registration.step.face_id.android': 'Step 2/4: Fingerprint or face unlock',
  'registration.step.document': 'Step 3/4: Register your Cambodian ID card or passport',
  'registration.step.details': 'Step 4/4: Your information',
  'registration.step.submitted': 'Waiting for verification',
  // registration: states
  'registration.state.awaiting_phone': 'Enter your mobile phone number.',
  'registration.state.awaiting_phone_code': 'Enter the code we sent by SMS to {phone}.',
  'registration.state.awaiting_email': 'Enter your e-mail address.',
  'registration.state.awaiting_email_code': 'Enter the code we sent to {email}.',
  'registration.state.awaiting_pin': 'Create your personal 6-digit PIN.',
  'registration.state.awaiting_face_id': 'Do you want to use Face ID instead of typing your PIN?',
  'registration.state.awaiting_face_id.android':
    "Do you want to approve logins with your phone's fingerprint or face unlock instead of typing your PIN?",
  'registration.state.awaiting_liveness': 'Hold to record and follow the instructions.',
  'registration.state.awaiting_document':
    'Focus on your identity card or passport inside the rectangle and wait until the lines become green.',
  'registration.state.awaiting_details': 'Check your information and correct it if needed.',
  'registration.state.awaiting_new_pin': 'Your PIN is your date of birth. Please choose a new PIN.',
  'registration.state.awaiting_consent': 'Confirm that the information and documents are true and correct.',
  'registration.state.awaiting_submission':
    'Everything is ready. Press "Send for verification" to send your registration to the CamDigiKey officers.',
  'registration.state.submitted': 'Please wait up to 8 working hours for the response (until {deadline}).',
  // fields
  'field.phone': 'Phone number',
  'field.phone_code': 'Phone number OTP',
  'field.email': 'E-mail',
  'field.email_code': 'E-mail OTP',
  'field.pin': 'PIN code (6 digits)',
  'field.pin_confirmation': 'Retype PIN code',
  'field.face_id': 'I want Face ID',
  'field.face_id.android': 'I want to use fingerprint or face unlock',
  'field.liveness_recording': 'Face recording',
  'field.selfie': 'Face photo',
  'field.mrz': 'Document code (MRZ)',
  'field.document_photo': 'Photo of the document',
  'field.document_type': 'Document type',
  'field.gender': 'Gender',
  'field.khmer_surname': 'Surname (Khmer)',
  'field.khmer_given_name': 'Given name (Khmer)',
  'field.latin_surname': 'Surname (Latin)',
  'field.latin_given_name': 'Given name (Latin)',
  'field.document_number': 'ID card number',
  'field.birth_date': 'Date of birth',
  'field.issue_date': 'Date of issue',
  'field.expiry_date': 'Expiry date',
  'field.consent':
    'I certify that the information I entered and the documents I provided are true and correct.',
  'field.consent_terms':
    'I have read the Terms of Use and the Privacy Policy. I certify that the information I entered and the documents I provided are true and correct.',
  // options
  'option.gender.male': 'Male',
  'option.gender.female': 'Female',
  'option.document_type.id_card': 'Cambodian ID card',
  'option.document_type.passport': 'Passport',
  // actions
  'action.send_otp': 'Send OTP',
  'action.resend_otp': 'Send a new code',
  'action.verify': 'Verify',
  'action.next': 'Next',
  'action.skip': 'Not now',
  'action.enable_face_id': 'I want Face ID',
  'action.enable_face_id.android': 'I want to use fingerprint or face unlock',
  'action.hold_to_record': 'Hold to Record',
  'action.scan_document': 'Scan document',
  'action.submit': 'Send for verification',
  // information
  'info.otp_sent': 'The code is valid for 5 minutes.',
  'info.mrz_mismatch': 'Some fields differ from your document. An officer will check them.',
  'info.review_deadline': 'An officer will verify your registration by {deadline}.',
  // liveness actions
  'liveness.turn_left': 'Turn your head to the left',
  'liveness.turn_right': 'Turn your head to the right',
  'liveness.nod': 'Nod your head',
  'liveness.look_up': 'Look up, then back at the camera',
  'liveness.tilt_left': 'Tilt your head to the left',
  'liveness.tilt_right': 'Tilt your head to the right',
  'liveness.open_mouth': 'Open your mouth wide, then close it',
  'liveness.move_closer': 'Bring the phone closer to your face, then back',
  'liveness.blink': 'Blink your eyes',
  // account status
  'account.status.pending_review': 'Your registration is waiting for verification.',
  'account.status.active': 'Your CamDigiKey account is active.',
  'account.status.rejected': 'Your registration was not approved.',
  'account.status.suspended': 'Your account is suspended. Please contact CamDigiKey support.',
  'account.status.locked': 'Your account is locked. Use "Existing User" to recover it.',
  'account.status.resubmission_requested':
    'An officer needs one part of your registration again. Please open the app and send it.',
  // consent
  'consent.registration.v1':
    'I agree that the Ministry of Economy and Finance processes my contact details, my face recording and my identity document to verify my identity and to let me sign in to integrated digital services, as described in the CamDigiKey privacy policy.',
  'consent.registration.v2':
    'I agree that the Ministry of Economy and Finance processes my contact details, my face recording and my identity document to verify my identity and to let me log in to connected digital services, under the Terms of Use (version 1) and the Privacy Policy (version 1).',
  'legal.terms.title': 'Terms of Use',
  'legal.privacy.title': 'Privacy Policy',
  'legal.version': 'Version {version}, in force since {date}',
  'legal.read': 'Read the {document}',
  'legal.terms.v1':
    'CamDigiKey is the national digital identity of the Kingdom of Cambodia, run by the Ministry of Economy and Finance. These terms apply when you create and use a CamDigiKey account in the CamDigiKey app.\n\n1. Your account. One person has one account. Register only with your own Cambodian ID card or passport, your own phone number and your own e-mail address. An officer checks every registration within 8 working hours.\n\n2. Your PIN and your phone. Your 6-digit PIN and your phone together prove that it is you. Never tell your PIN to anyone, not even a CamDigiKey officer. If your phone is lost or someone may know your PIN, lock your account in the app or recover it on a new phone.\n\n3. Logging in to services. When a website or an app asks you to log in, the CamDigiKey app shows its name and domain. Approve only logins that you started yourself, and choose the number the website shows.\n\n4. What you may not do. Do not register for someone else, do not let someone else use your account, and do not try to deceive the face check or the document check. Doing so can lead to your account being closed and to legal action.\n\n5. Changes. When these terms change, the app shows the new version and asks for your agreement before you continue.\n\nSupport: CamDigiKey, Ministry of Economy and Finance, St. 92, Sangkat Wat Phnom, Khan Daun Penh, Phnom Penh.',
  'legal.privacy.v1':
    'This policy explains what CamDigiKey keeps about you, why, and what you can do about it.\n\n1. What we keep. Your phone number and e-mail address; your names in Khmer and Latin letters, gender, date of birth and nationality; the number, dates and photo of your ID card or passport; the face photo and the short face recording you make during registration; the phones registered to your account; and a history of your logins and of the data you allowed services to receive.\n\n2. Why. To verify that you are who you say you are, to let you log in to connected digital services, to protect your account against misuse, and to answer your questions.\n\n3. Who sees it. CamDigiKey officers who check registrations. A service you log in to receives only the data shown on the login screen, and only after you approve. We do not sell your data.\n\n4. How long. For as long as your account exists, and afterwards only as long as the law requires.\n\n5. Your rights. In the app, under "Me", you can see the services you are connected to and disconnect them, see your login history, change your phone number or e-mail, lock your account and download all the data we hold about you.\n\n6. Security. Your data is encrypted where it is stored, your PIN is never stored, and every officer\'s access is recorded.',
  // notifications (SMS and e-mail)
  'notify.otp.sms': 'CamDigiKey code: {code}. Valid for 5 minutes. Never share it with anyone.',
  'notify.otp.email.subject': 'Your CamDigiKey verification code',
  'notify.otp.email.body':
    'Your CamDigiKey e-mail verification code is {code}. It is valid for 5 minutes. If you did not ask for it, ignore this message.',
  'notify.contact_in_use.sms':
    'Someone tried to register a new CamDigiKey account with this phone number. If it was you, use "Existing User" in the app. If not, you can ignore this message.',
  'notify.recovery_no_account.sms':
    'Someone asked to recover a CamDigiKey account with this phone number, but no CamDigiKey account uses it. To create one, choose "Register" in the CamDigiKey app. If it was not you, ignore this message.',
  'notify.contact_in_use.email.subject': 'CamDigiKey: a registration with your e-mail address',
  'notify.contact_in_use.email.body':
    'Someone tried to register a new CamDigiKey account with this e-mail address. If it was you, use "Existing User" in the app to recover your account. If not, you can ignore this message.',
  'notify.document_in_use.sms':
    'Someone tried to register a new CamDigiKey account with your identity document. If it was not you, please contact CamDigiKey support.',
  'error.officer_login_failed': 'The username, password or code is not correct.',
  'error.officer_locked': 'Too many failed sign-ins. Try again in {retryAfterMinutes} minutes.',
  'error.case_not_pending': 'This registration is no longer waiting for a decision.',
  'error.case_claimed_by_other': 'Another officer is reviewing this registration.',
  'error.case_not_claimed': 'Claim the case before deciding.',
  'error.second_officer_required': 'A rejection for suspected fraud must be confirmed by a second officer.',
  'error.resubmission_not_requested': 'Nothing needs to be sent again for this registration.',
  'error.resubmission_part_mismatch': 'The officer asked for another part of your registration.',
  'reason.blurred_document': 'the photo of the document is not clear',
  'reason.face_mismatch': 'the face does not match the document',
  'reason.document_expired': 'the document has expired',
  'reason.registry_mismatch': 'the information does not match the civil register',
  'reason.suspected_fraud': 'the registration could not be verified',
  'reason.other': 'the registration could not be verified',
  'part.document_photo': 'take a new photo of your document',
  'part.liveness': 'do the face check again',
  'notify.decision.approved.sms':
    'Your CamDigiKey account is active. You can now log in to integrated services.',
  'notify.decision.rejected.sms':
    'Your CamDigiKey registration was not approved: {reason}. You can register again in the app.',
  'notify.decision.resubmit.sms': 'To finish your CamDigiKey registration, please open the app and {part}.',
  'notify.decision.email.subject': 'Your CamDigiKey registration',
  // login pages (web login with the CamDigiKey app)
  'login.title': 'Log in with CamDigiKey',
  'login.tagline': 'Easy yet Secure Mobile Authentication',
  'login.trust':
    'This is the CamDigiKey login page. CamDigiKey never asks for your PIN on a website: you approve only in the CamDigiKey app on your phone.',
  'login.error_generic': 'Something went wrong with this login. Please go back to the website and try again.',
  'login.requested_by': '{rp} asks you to log in',
  'login.scan': 'Open the CamDigiKey app, tap "Scan QR Code" and scan this code.',
  'login.open_app': 'Open in the CamDigiKey app',
  'login.scanned': 'Scanned. In the app, choose this number:',
  'login.approved': 'Approved. Logging you in…',
  'login.rejected': 'The login was rejected on the phone.',
  'login.expired': 'This QR code has expired.',
  'login.new_code': 'Show a new QR code',
  'login.cancel': 'Cancel and return to the website',
  'login.continue_as': 'Continue as {name}',
  'login.use_another': 'Use another account',
  'login.consent_intro': '{rp} will receive:',
  'login.allow': 'Allow',
  'login.decline': 'Decline',
  'login.language': 'ភាសាខ្មែរ / English',
  'login.error_title': 'The login could not continue',
  'login.logout_question': 'Do you want to log out of CamDigiKey on this browser?',
  'login.logout_yes': 'Yes, log me out',
  'login.logged_out': 'You have been logged out of CamDigiKey.',
  'claim.openid': 'Your CamDigiKey identifier',
  'claim.profile': 'Your names (Khmer and Latin), gender, date of birth and nationality',
  'claim.email': 'Your e-mail address',
  'claim.phone': 'Your phone number',
  'claim.personal_code': 'Your ID card or passport number',
  'claim.face': 'Your face photo',
  'claim.offline_access': 'Access while you are not using the website',
  // dev outbox page
  'dev.outbox.title': 'Development outbox',
  'dev.outbox.sms': 'SMS messages',
  'dev.outbox.email': 'E-mail messages',
  'dev.outbox.empty': 'Nothing has been sent yet.',
  'error.recovery_cooling_off':
    'Your account was recovered on a new phone recently. For your safety this action is possible after {until}.',
  'error.signing_request_not_found': 'This signature request was not found.',
  'error.signing_request_expired': 'This signature request has ended. Ask the service to send a new one.',
  'error.signing_request_stale': 'This signature request changed. Open it again to sign.',
  'error.signature_invalid': 'The signature from this phone could not be verified. Nothing was signed.',
  'notify.otp.recovery.sms':
    'CamDigiKey account recovery code: {code}. Valid for 5 minutes. If you did not ask to recover your account, ignore this message and never share the code.',
  'notify.recovered.email.subject': 'Your CamDigiKey account was recovered on a new phone',
  'notify.recovered.email.body':
    'Your CamDigiKey account has just been recovered on a new phone. Your old phone can no longer be used, and you were signed out everywhere.\n\nIf this was not you, lock your account now: {link}\n\nFor {hours} hours, changing your phone number or e-mail address and sharing your face photo are paused.',
  'recovery.step.phone': 'Step 1/3: Your registered phone number',
  'recovery.step.pin': 'Step 2/3: New PIN',
  'recovery.step.face_id': 'Step 2/3: Face ID',
  'recovery.step.face_id.android': 'Step 2/3: Fingerprint or face unlock',
  'recovery.step.face': 'Step 3/3: Face check',
  'recovery.step.done': 'Your account is back',
  'recovery.step.referred': 'An officer will help you',
  'recovery.state.awaiting_phone': 'Enter the phone number you registered with.',
  'recovery.state.awaiting_phone_code': 'We sent an SMS to {phone}. Enter the 6-digit code it contains.',
  'recovery.state.awaiting_pin': 'Create a new personal 6-digit PIN.',
  'recovery.state.awaiting_face_id': 'Do you want to use Face ID on this phone instead of typing your PIN?',
  'recovery.state.awaiting_face_id.android':
    'Do you want to approve with fingerprint or face unlock on this phone instead of typing your PIN?',
  'recovery.state.awaiting_liveness':
    'Hold to record and follow the instructions. We compare your face with the one you registered.',
  'recovery.state.recovered':
    'Your account is back on this phone. Your old phone was signed out. Changing your phone number or e-mail is possible after {hours} hours.',
  'recovery.state.referred': 'We could not recover your account in the app.',
  'recovery.failed.liveness_failed':
    'The face check did not succeed. Please try again in good light. Tries left today: {triesLeft}.',
  'recovery.failed.face_mismatch':
    'The face does not match the registered face. Tries left today: {triesLeft}.',
  'recovery.referred.too_many_failures':
    'Too many unsuccessful tries. Please visit a CamDigiKey officer with your ID card or passport.',
  'recovery.referred.recovery_disputed':
    'This account was locked after a recovery that its owner did not make. Please visit a CamDigiKey officer with your ID card or passport.',
  'recovery.referred.no_enrolled_face':
    'Your account has no registered face to compare with. Please visit a CamDigiKey officer with your ID card or passport.',
  'recovery.referred.face_check_review':
    'An officer needs to check your face before your account can be given back. You will be told the answer; you can also visit a CamDigiKey officer with your ID card or passport.',
  'account.lock.title': 'Lock your CamDigiKey account',
  'account.lock.explain':
    'If you did not recover your account or log in yourself, lock it now. Every phone will be signed out, and no one will be able to log in until an officer has checked your identity.',
  'account.lock.confirm': 'This wasn’t me: lock my account',
  'account.lock.done': 'Your account is locked.',
  'account.lock.next':
    'No one can log in with it now. Please visit a CamDigiKey officer with your ID card or passport to unlock it.',
  'account.lock.invalid': 'This link has already been used or has expired.',
  'notify.contact_changed.sms':
    'The phone number of your CamDigiKey account was changed. If this was not you, lock your account now: {link}',
  'notify.contact_changed.email.subject': 'The e-mail address of your CamDigiKey account was changed',
  'notify.contact_changed.email.body':
    'The e-mail address of your CamDigiKey account was changed to {address}. This address will no longer receive messages from CamDigiKey.\n\nIf this was not you, lock your account now: {link}',
} as const;

export type MessageId = keyof typeof en;
