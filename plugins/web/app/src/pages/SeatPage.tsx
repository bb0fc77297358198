// A schedule's seats: the live map (snapshot + `seat`/`stock` SSE events, refetch as fallback),
// selection up to the per-buyer limit, general admission quantities, and the hold.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Seat, SeatMapBody, SeatStatus } from '../api/types';
import { ErrorBox, Loading } from '../components';
import { money } from '../format';
import { t } from '../i18n';
import { navigate, query } from '../router';
import { SeatMap } from '../SeatMap';
import { entryTokenKey } from './WaitingRoom';

/** What the app lets one buyer pick at once; the server's limits.lua has the last word (LIMIT_EXCEEDED). */
export const maxSeatsPerHold = 4;

export function rowsOf(map: SeatMapBody): Seat[] {
  const at = (name: SeatMapBody['columns'][number]) => map.columns.indexOf(name);
  const [id, label, grade, x, y, status] = (['seatId', 'label', 'grade', 'x', 'y', 'status'] as const).map(at);
  return map.seats.map((r) => ({
    seatId: String(r[id]),
    label: String(r[label]),
    grade: Number(r[grade]),
    x: Number(r[x]),
    y: Number(r[y]),
    status: r[status] as SeatStatus,
  }));
}

export function SeatPage(props: { scheduleId: string }) {
  const { scheduleId } = props;
  const [map, setMap] = useState<SeatMapBody | null>(null);
  const [seats, setSeats] = useState<Seat[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(query('expired') ? t('holdExpired') : null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stream: EventSource | null = null;
    let closed = false;
    const load = () =>
      api.seats(scheduleId).then((m) => {
        if (closed) return;
        setMap(m);
        setSeats(rowsOf(m));
      }).catch(setError);
    load();
    if (typeof EventSource !== 'undefined') {
      stream = new EventSource(api.seatStreamUrl(scheduleId));
      stream.addEventListener('snapshot', (ev) => {
        const m = JSON.parse((ev as MessageEvent).data) as SeatMapBody;
        if (m.columns) {
          setMap(m);
          setSeats(rowsOf(m));
        }
      });
      stream.addEventListener('seat', (ev) => {
        const d = JSON.parse((ev as MessageEvent).data) as { seatIds: string[]; status: SeatStatus };
        const ids = new Set(d.seatIds);
        setSeats((old) => old.map((s) => (ids.has(s.seatId) ? { ...s, status: d.status } : s)));
      });
      stream.addEventListener('stock', (ev) => {
        const d = JSON.parse((ev as MessageEvent).data) as { gradeId: string; remaining: number };
        setMap((old) => old && { ...old, grades: old.grades.map((g) => (g.gradeId === d.gradeId ? { ...g, remaining: d.remaining } : g)) });
      });
      stream.onerror = () => {
        if (stream?.readyState === EventSource.CLOSED) load();
      };
    }
    return () => {
      closed = true;
      stream?.close();
    };
  }, [scheduleId]);

  // A seat someone else took leaves the selection.
  useEffect(() => {
    const taken = seats.filter((s) => s.status !== 'AVAILABLE' && selected.has(s.seatId));
    if (taken.length) {
      const next = new Set(selected);
      taken.forEach((s) => next.delete(s.seatId));
      setSelected(next);
    }
  }, [seats]);

  const byId = useMemo(() => new Map(seats.map((s) => [s.seatId, s])), [seats]);

  if (!map) return error ? <ErrorBox error={error} /> : <Loading />;

  const toggle = (s: Seat) => {
    const next = new Set(selected);
    if (next.has(s.seatId)) next.delete(s.seatId);
    else if (s.status !== 'AVAILABLE') return;
    else if (next.size >= maxSeatsPerHold) {
      setNotice(t('limitReached'));
      return;
    } else next.add(s.seatId);
    setNotice(null);
    setSelected(next);
  };

  const entry = sessionStorage.getItem(entryTokenKey(scheduleId)) ?? undefined;
  const hold = async (gradeId?: string) => {
    setBusy(true);
    setError(null);
    try {
      const r = gradeId
        ? await api.holdQuantity(scheduleId, gradeId, quantities[gradeId] ?? 1, entry)
        : await api.holdSeats(scheduleId, [...selected], entry);
      navigate('/checkout/' + r.reservationId);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'ENTRY_REQUIRED') {
        sessionStorage.removeItem(entryTokenKey(scheduleId));
        navigate('/queue/' + scheduleId, true);
        return;
      }
      if (e instanceof ApiError && e.code === 'SEAT_TAKEN') {
        const names = [...selected].map((id) => byId.get(id)?.label).filter(Boolean).join(', ');
        setNotice(`${t('errSEAT_TAKEN')} (${names})`);
        setSelected(new Set());
        api.seats(scheduleId).then((m) => { setMap(m); setSeats(rowsOf(m)); }).catch(() => {});
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const ga = map.seating === 'GENERAL_ADMISSION';
  return (
    <section>
      <h1>{t('seatMap')}</h1>
      {notice && <p role="alert" class="notice">{notice}</p>}
      <ErrorBox error={error} />
      {ga ? (
        <table>
          <tbody>
            {map.grades.map((g) => (
              <tr key={g.gradeId}>
                <th scope="row">{g.name}</th>
                <td>{money(g.price)}</td>
                <td>{g.remaining} {t('remaining')}</td>
                <td>
                  <label>
                    {t('quantity')}
                    <input type="number" min={1} max={Math.min(maxSeatsPerHold, g.remaining)} value={quantities[g.gradeId] ?? 1}
                      onInput={(e) => setQuantities({ ...quantities, [g.gradeId]: Number(e.currentTarget.value) })} />
                  </label>
                </td>
                <td>
                  <button type="button" disabled={busy || g.remaining === 0} onClick={() => hold(g.gradeId)}>{t('hold')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <>
          <SeatMap map={map} seats={seats} selected={selected} onToggle={toggle} />
          <div class="selection" aria-live="polite">
            <h2>{t('selectedSeats')} ({selected.size}/{maxSeatsPerHold})</h2>
            <ul>
              {[...selected].map((id) => {
                const s = byId.get(id);
                return s && <li key={id}>{s.label} · {map.grades[s.grade]?.name} · {money(map.grades[s.grade]?.price)}</li>;
              })}
            </ul>
            <button type="button" disabled={busy || selected.size === 0} onClick={() => hold()}>
              {t('hold')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
