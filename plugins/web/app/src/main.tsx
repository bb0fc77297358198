// The buyer app: header (navigation, language, account), the routed page, and the session check.
import '@picocss/pico/css/pico.min.css';
// Hangul for devices without a Korean system font: a regular and a bold face (about 540 kB of
// woff2 each), last before the generic family in app.css's stack, so a browser downloads one only
// when a character on the page has no system font (the unicode-range split of the same font would
// add 26 kB of gzip CSS to every first page instead). Chromium draws no Hangul in bold text from
// the regular face alone (seen as empty boxes in headings), hence the bold face.
import '@fontsource/noto-sans-kr/korean-400.css';
import '@fontsource/noto-sans-kr/korean-700.css';
import './app.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client';
import { Link } from './components';
import { venue } from './format';
import { lang, setLang, t } from './i18n';
import { AccountForm } from './pages/Account';
import { Browse } from './pages/Browse';
import { Checkout } from './pages/Checkout';
import { Notifications, Reservations, Tickets } from './pages/Mine';
import { PaymentFail, PaymentSuccess } from './pages/PaymentReturn';
import { ProductPage } from './pages/ProductPage';
import { SeatPage } from './pages/SeatPage';
import { WaitingRoom } from './pages/WaitingRoom';
import { match, navigate, route } from './router';
import { loadUser, logout, user } from './session';
import { useSignal } from './state';

const needsLogin = ['/queue/', '/seats/', '/checkout/', '/reservations', '/tickets', '/notifications', '/payments/'];

function Page(props: { path: string }) {
  const { path } = props;
  let m;
  if (path.split('?')[0] === '/') return <Browse />;
  if ((m = match('/shows/:id', path))) return <ProductPage productId={m.id} />;
  if (match('/login', path)) return <AccountForm mode="login" />;
  if (match('/signup', path)) return <AccountForm mode="signup" />;
  if ((m = match('/queue/:id', path))) return <WaitingRoom scheduleId={m.id} />;
  if ((m = match('/seats/:id', path))) return <SeatPage scheduleId={m.id} />;
  if ((m = match('/checkout/:id', path))) return <Checkout reservationId={m.id} />;
  if (match('/payments/success', path)) return <PaymentSuccess />;
  if (match('/payments/fail', path)) return <PaymentFail />;
  if (match('/reservations', path)) return <Reservations />;
  if (match('/tickets', path)) return <Tickets />;
  if (match('/notifications', path)) return <Notifications />;
  return <p>{t('notFound')}</p>;
}

/** Unread notifications of the signed-in user; null when the venue has no notification plugin. */
function useUnread(signedIn: boolean, path: string): number | null {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    if (!signedIn) return;
    api.notifications().then((p) => setUnread(p.items.filter((n) => !n.readAt).length)).catch(() => setUnread(null));
  }, [signedIn, path]);
  return unread;
}

function App() {
  const path = useSignal(route);
  const me = useSignal(user);
  const unread = useUnread(!!me, path);
  useSignal(lang);
  useEffect(() => void loadUser(), []);
  const guarded = needsLogin.some((p) => path.startsWith(p));
  useEffect(() => {
    if (me === null && guarded) navigate('/login?next=' + encodeURIComponent(path), true);
  }, [me, guarded, path]);
  useEffect(() => {
    document.documentElement.lang = lang.get();
  });
  return (
    <>
      <header class="container">
        <nav aria-label="main">
          <ul>
            <li><Link to="/"><strong>{t('appName')}</strong></Link></li>
          </ul>
          <ul>
            <li><Link to="/">{t('shows')}</Link></li>
            {me && <li><Link to="/reservations">{t('myReservations')}</Link></li>}
            {me && <li><Link to="/tickets">{t('myTickets')}</Link></li>}
            {me && (
              <li>
                <Link to="/notifications">
                  {t('notifications')}
                  {unread ? <span class="badge"> {unread} <span class="visually-hidden">{t('unread')}</span></span> : null}
                </Link>
              </li>
            )}
            <li>
              <button type="button" class="secondary outline" onClick={() => setLang(lang.get() === 'ko' ? 'en' : 'ko')}>
                {t('language')}
              </button>
            </li>
            {me ? (
              <li>
                <button type="button" class="outline" title={`${t('signedInAs')} ${me.email}`}
                  onClick={() => logout().then(() => navigate('/'))}>{t('logout')}</button>
              </li>
            ) : (
              <>
                <li><Link to="/login">{t('login')}</Link></li>
                <li><Link to="/signup">{t('signup')}</Link></li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main class="container">
        {guarded && me === undefined ? <p aria-busy="true">{t('loading')}</p> : guarded && !me ? <p>{t('needLogin')}</p> : <Page path={path} />}
      </main>
    </>
  );
}

// The venue's time zone (times are shown in it); re-render once it is known.
fetch('/app/venue.json')
  .then((r) => (r.ok ? r.json() : null))
  .then((v: { timezone?: string } | null) => {
    if (v?.timezone) {
      venue.timeZone = v.timezone;
      lang.set(lang.get());
    }
  })
  .catch(() => {});

// Text laid out while a fallback web font (the Korean faces above) was still loading keeps its
// empty boxes in Chromium even after the face arrives (seen in headless Chromium 156: the header
// and heading stayed boxes while newer text drew Hangul). A class that changes the font
// description once a load finishes makes the browser shape all text again.
document.fonts?.addEventListener('loadingdone', () => {
  document.documentElement.classList.toggle('fonts-settled');
});

render(<App />, document.getElementById('app')!);
