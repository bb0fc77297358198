// Where the provider's checkout sends the buyer back: success -> confirm with the payment id kept
// before leaving; fail -> the provider's reason and the way back to the map.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Payment } from '../api/types';
import { ErrorBox, Link } from '../components';
import { t } from '../i18n';
import { query } from '../router';
import { pendingPaymentKey } from './Checkout';

function pending(orderId: string | null): { paymentId: string; scheduleId: string } | null {
  if (!orderId) return null;
  const text = sessionStorage.getItem(pendingPaymentKey(orderId));
  return text ? JSON.parse(text) : null;
}

export function PaymentSuccess() {
  const [payment, setPayment] = useState<Payment | null>(null);
  const [error, setError] = useState<unknown>(null);
  const orderId = query('orderId');
  const saved = pending(orderId);
  useEffect(() => {
    const key = query('paymentKey');
    if (!saved || !key) {
      setError(new Error('unknown payment'));
      return;
    }
    // PAYMENT_IN_PROGRESS: paid, and the reservation is still being confirmed (or another
    // confirm of this payment is running): ask again, for up to 15 s.
    let tries = 0;
    const ask = () =>
      api.confirmPayment(saved.paymentId, key).then(setPayment).catch((e) => {
        if (e instanceof ApiError && e.code === 'PAYMENT_IN_PROGRESS' && ++tries < 15) setTimeout(ask, 1000);
        else setError(e);
      });
    ask();
  }, []);
  if (error) return (<section><h1>{t('paymentFailed')}</h1><ErrorBox error={error} /></section>);
  if (!payment) return <p aria-busy="true">{t('confirming')}</p>;
  if (payment.status === 'APPROVED')
    return (
      <section>
        <h1>{t('paymentDone')}</h1>
        <Link to="/tickets" role="button">{t('myTickets')}</Link>
      </section>
    );
  return (
    <section>
      <h1>{t('paymentFailed')}</h1>
      <p role="alert">{payment.failure?.message ?? payment.status}</p>
      {saved && <Link to={'/seats/' + saved.scheduleId}>{t('backToMap')}</Link>}
    </section>
  );
}

export function PaymentFail() {
  const saved = pending(query('orderId'));
  return (
    <section>
      <h1>{t('paymentFailed')}</h1>
      <p role="alert" data-code={query('code') ?? ''}>
        {query('code') === 'PAY_PROCESS_CANCELED' ? t('errDECLINED') : query('message')}
      </p>
      {saved ? <Link to={'/seats/' + saved.scheduleId}>{t('backToMap')}</Link> : <Link to="/">{t('home')}</Link>}
    </section>
  );
}
