// The buyer's own things: reservations (cancel after confirmation, with the refund the policy
// gives shown before the buyer confirms), tickets with their codes (rotating where the browser can
// sign), notifications (the page degrades when the venue has no notification plugin: 404).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Notification, RefundQuote, Reservation, Ticket } from '../api/types';
import { ErrorBox, Link, Loading } from '../components';
import type { TicketCode as TicketCodeComponent } from '../TicketCode';
import { dateTime, money } from '../format';
import { t } from '../i18n';

/** The cancel confirmation: what the refund policy gives back now, before anything changes. */
function CancelDialog(props: { quote: RefundQuote; onConfirm: () => void; onClose: () => void; busy: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const q = props.quote;
  return (
    <dialog ref={ref} aria-labelledby="cancel-title" onClose={props.onClose}>
      <article>
        <h2 id="cancel-title">{t('cancelTitle')}</h2>
        <p data-testid="refund-preview">
          {t('refundWillBe')} <strong>{money(q.refund)}</strong> {t('refundOf')} {money(q.paid)} ({q.sharePercent}%).
        </p>
        <p><small>{q.rule}</small></p>
        <footer>
          <button type="button" class="secondary" onClick={props.onClose} disabled={props.busy}>{t('keepReservation')}</button>
          <button type="button" onClick={props.onConfirm} aria-busy={props.busy} disabled={props.busy}>{t('confirmCancel')}</button>
        </footer>
      </article>
    </dialog>
  );
}

export function Reservations() {
  const [items, setItems] = useState<Reservation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [quote, setQuote] = useState<RefundQuote | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => api.reservations().then((p) => setItems(p.items)).catch(setError);
  useEffect(() => void load(), []);
  const askCancel = async (r: Reservation) => {
    setError(null);
    try {
      setQuote(await api.refundQuote(r.reservationId));
    } catch (e) {
      setError(e);
    }
  };
  const cancel = async () => {
    if (!quote) return;
    setBusy(true);
    try {
      const done = await api.cancel(quote.reservationId);
      setItems((old) => old?.map((x) => (x.reservationId === done.reservationId ? done : x)) ?? null);
      setQuote(null);
    } catch (e) {
      setQuote(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>{t('myReservations')}</h1>
      <ErrorBox error={error} />
      {items === null && !error && <Loading />}
      {items?.length === 0 && <p>{t('noReservations')}</p>}
      <table>
        <tbody>
          {items?.map((r) => (
            <tr key={r.reservationId}>
              <td><code>{r.reservationId}</code></td>
              <td>{r.seats?.map((s) => s.label ?? s.gradeId).join(', ')}</td>
              <td>{money(r.price.total)}</td>
              <td><span class={'badge status-' + r.status}>{r.status}</span></td>
              <td>
                {r.status === 'PENDING_PAYMENT' && <Link to={'/checkout/' + r.reservationId}>{t('pay')}</Link>}
                {r.status === 'CONFIRMED' && (
                  <button type="button" class="secondary" onClick={() => askCancel(r)}>{t('cancel')}</button>
                )}
                {r.refund && <span>{t('refund')}: {money(r.refund)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {quote && <CancelDialog quote={quote} busy={busy} onConfirm={cancel} onClose={() => !busy && setQuote(null)} />}
    </section>
  );
}

export function Tickets() {
  const [items, setItems] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The QR encoder and the signer load with this page only, not with the first page.
  const [TicketCode, setTicketCode] = useState<typeof TicketCodeComponent | null>(null);
  useEffect(() => {
    import('../TicketCode').then((m) => setTicketCode(() => m.TicketCode)).catch(setError);
  }, []);
  useEffect(() => {
    let tries = 0;
    const load = () =>
      api.tickets().then((p) => {
        setItems(p.items);
        // Tickets follow the confirmation by an event: look again shortly when none is there yet.
        if (p.items.length === 0 && tries++ < 10) setTimeout(load, 1000);
      }).catch(setError);
    load();
  }, []);
  return (
    <section>
      <h1>{t('myTickets')}</h1>
      <ErrorBox error={error} />
      {items === null && !error && <Loading />}
      {items?.length === 0 && <p>{t('noTickets')}</p>}
      <div class="cards">
        {items?.map((tk) => (
          <article key={tk.ticketId} class="ticket">
            <h2>{tk.seat?.label ?? tk.grade?.name ?? tk.ticketId}</h2>
            <p>{tk.grade?.name} · <span class={'badge status-' + tk.status}>{tk.status}</span></p>
            {tk.validFrom && <p><small>{dateTime(tk.validFrom)}</small></p>}
            {tk.status === 'ISSUED' && TicketCode && (
              <TicketCode ticket={tk} label={`${t('qrOf')} ${tk.seat?.label ?? tk.ticketId}`} />
            )}
          </article>
        ))}
      </div>
    </section>
  );
}

export function Notifications() {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.notifications().then((p) => setItems(p.items)).catch((e) => {
      if (e instanceof ApiError && e.status === 404) setMissing(true);
      else setError(e);
    });
  }, []);
  const unread = items?.filter((n) => !n.readAt).length ?? 0;
  return (
    <section>
      <h1>{t('notifications')} {unread > 0 && <small>({unread} {t('unread')})</small>}</h1>
      {missing && <p>{t('notificationsUnavailable')}</p>}
      <ErrorBox error={error} />
      {items?.length === 0 && <p>{t('noNotifications')}</p>}
      <ul>
        {items?.map((n) => (
          <li key={n.id}>
            <strong>{n.title}</strong> {n.body} <small>{dateTime(n.createdAt)}</small>{' '}
            {!n.readAt && (
              <button type="button" class="secondary" onClick={() =>
                api.markRead(n.id).then(() => setItems((old) => old?.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)) ?? null)).catch(setError)}>
                {t('markRead')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
