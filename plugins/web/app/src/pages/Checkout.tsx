// The hold: countdown to expiresAt, the server's price breakdown, pay through the provider's
// checkout page (the simulator in the demo), or release. At expiry the buyer goes back to the map
// with a message.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Reservation } from '../api/types';
import { ErrorBox, Loading } from '../components';
import { duration, money } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';

export const pendingPaymentKey = (orderId: string) => 'admit.payment.' + orderId;

export function Checkout(props: { reservationId: string }) {
  const [r, setR] = useState<Reservation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.reservation(props.reservationId).then(setR).catch(setError);
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [props.reservationId]);

  const left = r ? (Date.parse(r.expiresAt) - now) / 1000 : 1;
  useEffect(() => {
    if (r && r.status === 'PENDING_PAYMENT' && left <= 0) navigate('/seats/' + r.scheduleId + '?expired=1', true);
  }, [r, left <= 0]);

  if (!r) return error ? <ErrorBox error={error} /> : <Loading />;

  const pay = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await api.preparePayment(r.reservationId);
      sessionStorage.setItem(pendingPaymentKey(p.orderId), JSON.stringify({ paymentId: p.paymentId, scheduleId: r.scheduleId }));
      if (!p.checkoutUrl) throw new Error('no checkout page for this payment');
      location.assign(p.checkoutUrl);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'RESERVATION_EXPIRED') {
        navigate('/seats/' + r.scheduleId + '?expired=1', true);
        return;
      }
      setError(e);
      setBusy(false);
    }
  };
  const release = async () => {
    setBusy(true);
    try {
      await api.release(r.reservationId);
      navigate('/seats/' + r.scheduleId, true);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>{t('checkout')}</h1>
      {r.status === 'PENDING_PAYMENT' && (
        <p role="timer" aria-live="off" class="countdown">
          {t('holdExpiresIn')} <strong data-testid="hold-countdown">{duration(left)}</strong>
        </p>
      )}
      <ul>
        {r.seats?.map((s, i) => (
          <li key={s.seatId ?? i}>
            {s.label ?? s.gradeId} {s.quantity ? '× ' + s.quantity : ''} {money(s.price)}
          </li>
        ))}
      </ul>
      <table class="price">
        <tbody>
          <tr><th scope="row">{t('subtotal')}</th><td>{money(r.price.subtotal)}</td></tr>
          <tr><th scope="row">{t('fees')}</th><td>{money(r.price.fees)}</td></tr>
          <tr><th scope="row">{t('total')}</th><td><strong>{money(r.price.total)}</strong></td></tr>
        </tbody>
      </table>
      <ErrorBox error={error} onRetry={error ? pay : undefined} />
      {r.status === 'PENDING_PAYMENT' ? (
        <div class="actions">
          <button type="button" disabled={busy} onClick={pay}>
            {t('pay')} {money(r.price.total)}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={release}>
            {t('release')}
          </button>
        </div>
      ) : (
        <p>{t('status')}: {r.status}</p>
      )}
    </section>
  );
}
