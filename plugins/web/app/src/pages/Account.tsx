// Sign up and log in. The session comes back as HttpOnly cookies; the app keeps only the user.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { ErrorBox } from '../components';
import { t } from '../i18n';
import { navigate, query } from '../router';
import { user } from '../session';

function next() {
  const to = query('next');
  return to && to.startsWith('/') && !to.startsWith('//') ? to : '/';
}

export function AccountForm(props: { mode: 'login' | 'signup' }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (props.mode === 'signup') await api.signup(email, password, name);
      const answer = await api.login(email, password);
      user.set(answer.user);
      navigate(next(), true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const title = props.mode === 'login' ? t('login') : t('signup');
  return (
    <section class="account">
      <h1>{title}</h1>
      <form onSubmit={submit}>
        {props.mode === 'signup' && (
          <label>
            {t('name')}
            <input name="name" autoComplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
        )}
        <label>
          {t('email')}
          <input name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" minLength={8} required
            autoComplete={props.mode === 'login' ? 'current-password' : 'new-password'}
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorBox error={error} />
        <button type="submit" aria-busy={busy} disabled={busy}>{title}</button>
      </form>
    </section>
  );
}
