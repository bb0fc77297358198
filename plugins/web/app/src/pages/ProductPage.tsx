// A product: its schedules (performances), grades and prices, and the way in to each schedule's
// seats (through the waiting room when the schedule requires it).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Product } from '../api/types';
import { ErrorBox, Link, Loading } from '../components';
import { dateTime, money } from '../format';
import { t } from '../i18n';

export function ProductPage(props: { productId: string }) {
  const [product, setProduct] = useState<Product | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.product(props.productId).then(setProduct).catch(setError);
  }, [props.productId]);
  if (error) return <ErrorBox error={error} />;
  if (!product) return <Loading />;
  return (
    <section>
      <h1>{product.title}</h1>
      <p>
        <span class={'badge status-' + product.status}>{product.status}</span> {product.category}
      </p>
      {product.description && <p>{product.description}</p>}
      <h2>{t('grades')}</h2>
      <table>
        <tbody>
          {product.grades?.map((g) => (
            <tr key={g.gradeId}>
              <th scope="row">{g.name}</th>
              <td>{money(g.price)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('performances')}</h2>
      <ul class="schedules">
        {product.schedules?.map((s) => (
          <li key={s.scheduleId}>
            <span>{dateTime(s.startsAt)}</span>{' '}
            {s.grades && (
              <small>
                {s.grades.reduce((n, g) => n + g.remaining, 0)} {t('remaining')}
              </small>
            )}{' '}
            {product.status === 'ON_SALE' && (
              <Link
                role="button"
                to={(s.queueRequired ? '/queue/' : '/seats/') + s.scheduleId}
              >
                {s.queueRequired ? t('enterQueue') : t('pickSeats')}
              </Link>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
