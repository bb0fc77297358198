// Browse and search performances: text, status and date filters, as the products list allows.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { ProductStatus, ProductSummary } from '../api/types';
import { ErrorBox, Link, Loading } from '../components';
import { dateTime } from '../format';
import { t } from '../i18n';

export function Browse() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<ProductStatus | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [items, setItems] = useState<ProductSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = () => {
    setError(null);
    api
      .products({
        q,
        status: status || undefined,
        from: from ? new Date(from).toISOString() : undefined,
        to: to ? new Date(to).toISOString() : undefined,
      })
      .then((page) => setItems(page.items))
      .catch(setError);
  };
  useEffect(load, []);

  return (
    <section>
      <h1>{t('shows')}</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {t('search')}
          <input type="search" name="q" placeholder={t('searchPlaceholder')} value={q}
            onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          {t('statusFilter')}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as ProductStatus | '')}>
            <option value="">{t('any')}</option>
            <option value="ON_SALE">ON_SALE</option>
            <option value="SCHEDULED">SCHEDULED</option>
            <option value="CLOSED">CLOSED</option>
          </select>
        </label>
        <label>
          {t('dateFrom')}
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('dateTo')}
          <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('search')}</button>
      </form>
      <ErrorBox error={error} onRetry={load} />
      {items === null && !error && <Loading />}
      {items && items.length === 0 && <p>{t('noShows')}</p>}
      <div class="cards">
        {items?.map((p) => (
          <article key={p.productId}>
            <h2>
              <Link to={'/shows/' + p.productId}>{p.title}</Link>
            </h2>
            <p>
              <span class={'badge status-' + p.status}>{p.status}</span> {p.category}
            </p>
            <p>
              <small>
                {dateTime(p.saleStartsAt)} – {dateTime(p.saleEndsAt)}
              </small>
            </p>
          </article>
        ))}
      </div>
    </section>
  );
}
