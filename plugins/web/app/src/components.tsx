// Small shared pieces: links that route without reloading, the error box that names the trace id
// and honours Retry-After, and the loader.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import { errorText, t } from './i18n';
import { navigate } from './router';

export function Link(props: { to: string; children: ComponentChildren; class?: string; role?: 'button' }) {
  return (
    <a
      href={'/app' + props.to}
      class={props.class}
      role={props.role}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  const e = props.error;
  const [left, setLeft] = useState(e instanceof ApiError ? e.retryAfterSeconds ?? 0 : 0);
  useEffect(() => {
    if (left <= 0) return;
    const id = setTimeout(() => setLeft(left - 1), 1000);
    return () => clearTimeout(id);
  }, [left]);
  if (!e) return null;
  if (!(e instanceof ApiError)) {
    return (
      <article class="error" role="alert">
        {String((e as Error).message ?? e)}
      </article>
    );
  }
  return (
    <article class="error" role="alert" data-code={e.code}>
      <p>
        <strong>{errorText(e.code) ?? e.message}</strong>
      </p>
      {errorText(e.code) && e.message && <p class="detail">{e.message}</p>}
      {(e.status === 429 || e.status === 503) && left > 0 && (
        <p>
          {t('retryIn')} {left}
          {t('seconds')}
        </p>
      )}
      {props.onRetry && (
        <button type="button" disabled={left > 0} onClick={props.onRetry}>
          {t('retry')}
        </button>
      )}
      <p class="trace">
        <small>
          {t('traceId')}: <code>{e.traceId}</code>
        </small>
      </p>
    </article>
  );
}

export function Loading() {
  return <p aria-busy="true">{t('loading')}</p>;
}
