// The waiting room: joins (joining again keeps the same place, so a refresh or a second tab sees
// the same position), shows position, people ahead, ETA and progress, listens to the SSE stream
// and polls at the server's pollAfterMs as the fallback (and as the heartbeat the queue needs).
// When admitted, the entry token goes to sessionStorage for the hold and the seat map opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Fairness, QueuePlace, QueueUpdate } from '../api/types';
import { ErrorBox, Loading } from '../components';
import { duration } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { checkFairness, type FairnessCheck } from '../fairness_check';

export const entryTokenKey = (scheduleId: string) => 'admit.entry.' + scheduleId;

export function WaitingRoom(props: { scheduleId: string }) {
  const { scheduleId } = props;
  const [place, setPlace] = useState<QueuePlace | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const [fairness, setFairness] = useState<Fairness | null>(null);
  const [check, setCheck] = useState<FairnessCheck | null>(null);
  const firstPosition = useRef<number | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stream: EventSource | null = null;

    const take = (p: QueuePlace) => {
      if (stopped) return;
      setPlace(p);
      setError(null);
      if (p.position !== null && firstPosition.current === null) firstPosition.current = p.position;
      if (p.status === 'ADMITTED' && p.entryToken) {
        sessionStorage.setItem(entryTokenKey(scheduleId), p.entryToken);
        stopped = true;
        stream?.close();
        navigate('/seats/' + scheduleId, true);
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(poll, Math.max(500, p.pollAfterMs || 2000));
    };
    const poll = () => api.queuePlace(scheduleId).then(take).catch((e) => {
      if (stopped) return;
      setError(e);
      timer = setTimeout(poll, 3000);
    });

    api
      .joinQueue(scheduleId)
      .then((p) => {
        take(p);
        if (stopped || typeof EventSource === 'undefined') return;
        stream = new EventSource(api.queueStreamUrl(scheduleId));
        stream.onopen = () => setLive(true);
        stream.onerror = () => setLive(false); // the browser reconnects; polling carries on
        stream.addEventListener('update', (ev) => {
          const u = JSON.parse((ev as MessageEvent).data) as QueueUpdate;
          if (u.admitted?.includes(p.joinId) || u.status !== 'OPEN') poll();
          else
            setPlace((old) =>
              old && old.position !== null && old.admittedTotal !== undefined
                ? {
                    ...old,
                    aheadOf: Math.max(0, (old.aheadOf ?? 0) - (u.admittedTotal - old.admittedTotal)),
                    position: Math.max(1, old.position - (u.admittedTotal - old.admittedTotal)),
                    admittedTotal: u.admittedTotal,
                    waiting: u.waiting,
                  }
                : old,
            );
        });
      })
      .catch(setError);
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.close();
    };
  }, [scheduleId]);

  if (!place) return error ? <ErrorBox error={error} /> : <Loading />;
  const start = firstPosition.current ?? place.position ?? 1;
  const progress = place.position === null ? 0 : Math.round(100 * (1 - (place.position - 1) / Math.max(1, start)));
  return (
    <section aria-labelledby="wr-title">
      <h1 id="wr-title">{t('waitingRoom')}</h1>
      <p aria-live="polite">
        <small>{live ? t('live') : t('polling')}</small>
      </p>
      {place.status === 'SOLD_OUT' && <p role="alert">{t('soldOut')}</p>}
      {place.status === 'PAUSED' && <p role="status">{t('paused')}</p>}
      {place.status === 'PREQUEUE' && <p role="status">{t('prequeue')}</p>}
      {place.status !== 'SOLD_OUT' && (
        <dl class="queue" aria-live="polite">
          <dt>{t('position')}</dt>
          <dd data-testid="queue-position">{place.position ?? '–'}</dd>
          <dt>{t('ahead')}</dt>
          <dd data-testid="queue-ahead">{place.aheadOf ?? '–'}</dd>
          <dt>{t('eta')}</dt>
          <dd>{place.etaSeconds === null ? '–' : duration(place.etaSeconds) + (place.etaSeconds < 60 ? t('seconds') : '')}</dd>
        </dl>
      )}
      <progress value={progress} max={100} aria-label={t('position')} />
      <ErrorBox error={error} />
      <details onToggle={(e) => {
          if (!(e.currentTarget as HTMLDetailsElement).open || fairness) return;
          api.fairness(scheduleId).then(async (f) => {
            setFairness(f);
            setCheck(await checkFairness(f, place.joinId));
          }).catch(setError);
        }}>
        <summary>{t('fairness')}</summary>
        {fairness && (
          <p>
            <code>{fairness.commitment}</code> ({fairness.algorithm}, {fairness.phase}); {t('joinId')}{' '}
            <code>{place.joinId}</code>
          </p>
        )}
        {check && (
          <p data-testid="fairness-check" role={check.kind === 'mismatch' ? 'alert' : undefined}>
            {check.kind === 'committed' && t('fairnessCommitted')}
            {check.kind === 'mismatch' && t('fairnessMismatch')}
            {check.kind === 'verified' && check.place !== null &&
              `${t('fairnessVerified')} ${check.place} / ${check.of}`}
            {check.kind === 'verified' && check.place === null && t('fairnessAfterStart')}
          </p>
        )}
      </details>
    </section>
  );
}
