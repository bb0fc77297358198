// The buyer's own things: reservations (cancel after confirmation), tickets with their QR codes,
// notifications (the page degrades when the venue has no notification plugin: 404).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Notification, Reservation, Ticket } from '../api/types';
import { ErrorBox, Link, Loading } from '../components';
import { dateTime, money } from '../format';
import { t } from '../i18n';

export function Reservations() {
  const [items, setItems] = useState<Reservation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => api.reservations().then((p) => setItems(p.items)).catch(setError);
  useEffect(() => void load(), []);
  const cancel = async (r: Reservation) => {
    if (!confirm(t('cancelConfirm'))) return;
    try {
      const done = await api.cancel(r.reservationId);
      setItems((old) => old?.map((x) => (x.reservationId === r.reservationId ? done : x)) ?? null);
    } catch (e) {
      setError(e);
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
                  <button type="button" class="secondary" onClick={() => cancel(r)}>{t('cancel')}</button>
                )}
                {r.refund && <span>{t('refund')}: {money(r.refund)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Tickets() {
  const [items, setItems] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<unknown>(null);
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
            {tk.status === 'ISSUED' && (
              <img class="qr" src={api.ticketQrUrl(tk.ticketId)} width={200} height={200}
                alt={`${t('qrOf')} ${tk.seat?.label ?? tk.ticketId}`} />
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
            <strong>{n.title ?? n.subject}</strong> {n.body} <small>{dateTime(n.createdAt)}</small>{' '}
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
