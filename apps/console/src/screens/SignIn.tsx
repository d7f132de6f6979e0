/**
 * Officer sign-in: username, password and the 6-digit TOTP code. The server sets the HttpOnly
 * `cdk_console` cookie; the token in the answer is deliberately not kept anywhere by the app.
 */
import { useState } from 'react';
import { api, type Officer } from '../api';
import { ErrorText, useT } from '../ui';

export function SignInScreen({ onSignedIn }: { onSignedIn: (officer: Officer) => void }) {
  const { t } = useT();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const { officer } = await api.signIn(
        String(form.get('username') ?? ''),
        String(form.get('password') ?? ''),
        String(form.get('totp') ?? ''),
      );
      onSignedIn(officer);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>{t('signin.title')}</h1>
      <form onSubmit={submit}>
        <label>
          {t('signin.username')}
          <input name="username" id="username" autoComplete="username" required maxLength={40} />
        </label>
        <label>
          {t('signin.password')}
          <input
            name="password"
            id="password"
            type="password"
            autoComplete="current-password"
            required
            maxLength={200}
          />
        </label>
        <label>
          {t('signin.totp')}
          <input
            name="totp"
            id="totp"
            inputMode="numeric"
            pattern="\d{6}"
            autoComplete="one-time-code"
            required
            maxLength={6}
          />
        </label>
        <div aria-live="polite">
          <ErrorText error={error} />
        </div>
        <button type="submit" id="sign-in" disabled={busy}>
          {t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
