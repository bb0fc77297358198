// The API client: every call the buyer app makes, in one module, through openapi-fetch typed by
// schema.d.ts, which openapi-typescript generates from the platform's /openapi.json (see the
// README; tests/e2e/openapi_e2e_test.cpp typechecks this app against the live document, so a
// route or body the app uses that the platform no longer offers fails the build of the test).
// The session is in HttpOnly cookies (same origin). Promises: every function resolves with the
// parsed body or rejects with an ApiError carrying the server's code, message, trace id and
// Retry-After; a 401 on a signed-in call triggers one silent refresh (POST /auth/refresh,
// single-flight) and a retry; mutations carry a fresh Idempotency-Key.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import type {
  Fairness, LoginAnswer, Notification, Page, Payment, Product, ProductStatus, ProductSummary, QueuePlace, RefundQuote, Reservation,
  SeatMapBody, Ticket, User,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly traceId: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

const base = '/api/v1';
let refreshing: Promise<boolean> | null = null;
let sessionLost: () => void = () => {};

/** Called when a signed-in call got 401 and the silent refresh failed too (expired, revoked, or a
 * reused refresh token that ended the session everywhere). */
export function onSessionLost(listener: () => void) {
  sessionLost = listener;
}

/** One silent refresh at a time; true when the session was renewed. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch(base + '/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tokenDelivery: 'cookie' }),
  })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

// Calls that never refresh on 401: signing in or up (a 401 there is the answer).
const noRefresh = new Set([base + '/auth/login', base + '/auth/signup', base + '/auth/refresh']);

/** fetch with the session rules: Idempotency-Key on mutations, one refresh and retry on 401. */
async function sessionFetch(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD' && !request.headers.has('Idempotency-Key'))
    request.headers.set('Idempotency-Key', crypto.randomUUID());
  const retry = request.clone();
  const response = await fetch(request);
  if (response.status !== 401 || noRefresh.has(new URL(request.url).pathname)) return response;
  if (await refreshSession()) return fetch(retry);
  sessionLost();
  return response;
}

const client = createClient<paths>({
  baseUrl: location.origin,
  credentials: 'same-origin',
  headers: { Accept: 'application/json' },
  fetch: sessionFetch,
});

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The body of a success, or an ApiError built from the standard error body. */
async function unwrap<T>(call: Promise<Answer>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: string; message?: string; traceId?: string;
  };
  const retry = response.headers.get('Retry-After');
  throw new ApiError(
    response.status,
    body.code ?? 'HTTP_' + response.status,
    body.message ?? response.statusText,
    body.traceId ?? response.headers.get('X-Trace-Id') ?? '',
    retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
  );
}

const schedule = (scheduleId: string) => ({ params: { path: { scheduleId } } });
const reservation = (reservationId: string) => ({ params: { path: { reservationId } } });

export const api = {
  signup: (email: string, password: string, name: string) =>
    unwrap<User>(client.POST('/api/v1/auth/signup', { body: { email, password, name } })),
  login: (email: string, password: string) =>
    unwrap<LoginAnswer>(
      client.POST('/api/v1/auth/login', { body: { email, password, tokenDelivery: 'cookie' } }),
    ),
  logout: () => unwrap<void>(client.POST('/api/v1/auth/logout')),
  me: () => unwrap<User>(client.GET('/api/v1/auth/me')),

  products: (filter: { q?: string; status?: ProductStatus; from?: string; to?: string; cursor?: string }) =>
    unwrap<Page<ProductSummary>>(client.GET('/api/v1/products', {
      params: { query: { ...nonEmpty(filter), limit: 50 } },
    })),
  product: (productId: string) =>
    unwrap<Product>(client.GET('/api/v1/products/{productId}', { params: { path: { productId } } })),
  seats: (scheduleId: string) =>
    unwrap<SeatMapBody>(client.GET('/api/v1/schedules/{scheduleId}/seats', schedule(scheduleId))),
  seatStreamUrl: (scheduleId: string) =>
    base + '/schedules/' + encodeURIComponent(scheduleId) + '/seats/stream',

  joinQueue: (scheduleId: string) =>
    unwrap<QueuePlace>(client.POST('/api/v1/schedules/{scheduleId}/queue', schedule(scheduleId))),
  queuePlace: (scheduleId: string) =>
    unwrap<QueuePlace>(client.GET('/api/v1/schedules/{scheduleId}/queue', schedule(scheduleId))),
  leaveQueue: (scheduleId: string) =>
    unwrap<void>(client.DELETE('/api/v1/schedules/{scheduleId}/queue', schedule(scheduleId))),
  queueStreamUrl: (scheduleId: string) =>
    base + '/schedules/' + encodeURIComponent(scheduleId) + '/queue/stream',
  fairness: (scheduleId: string) =>
    unwrap<Fairness>(client.GET('/api/v1/schedules/{scheduleId}/queue/fairness', schedule(scheduleId))),

  holdSeats: (scheduleId: string, seatIds: string[], entryToken?: string) =>
    unwrap<Reservation>(client.POST('/api/v1/reservations', {
      body: { scheduleId, seatIds },
      headers: entryToken ? { 'X-Entry-Token': entryToken } : {},
    })),
  holdQuantity: (scheduleId: string, gradeId: string, quantity: number, entryToken?: string) =>
    unwrap<Reservation>(client.POST('/api/v1/reservations', {
      body: { scheduleId, gradeId, quantity },
      headers: entryToken ? { 'X-Entry-Token': entryToken } : {},
    })),
  reservations: () =>
    unwrap<Page<Reservation>>(client.GET('/api/v1/reservations', { params: { query: { limit: 50 } } })),
  reservation: (id: string) =>
    unwrap<Reservation>(client.GET('/api/v1/reservations/{reservationId}', reservation(id))),
  release: (id: string) =>
    unwrap<Reservation>(client.DELETE('/api/v1/reservations/{reservationId}', reservation(id))),
  refundQuote: (id: string) =>
    unwrap<RefundQuote>(client.GET('/api/v1/reservations/{reservationId}/refund-quote', reservation(id))),
  cancel: (id: string) =>
    unwrap<Reservation>(client.POST('/api/v1/reservations/{reservationId}/cancel', reservation(id))),

  preparePayment: (reservationId: string) =>
    unwrap<Payment>(client.POST('/api/v1/payments/prepare', { body: { reservationId, method: 'CARD' } })),
  confirmPayment: (paymentId: string, providerKey: string) =>
    unwrap<Payment>(client.POST('/api/v1/payments/confirm', { body: { paymentId, providerKey } })),

  tickets: () => unwrap<Page<Ticket>>(client.GET('/api/v1/tickets', { params: { query: { limit: 50 } } })),

  notifications: () =>
    unwrap<Page<Notification>>(client.GET('/api/v1/notifications', { params: { query: { limit: 50 } } })),
  markRead: (id: string) =>
    unwrap<void>(client.POST('/api/v1/notifications/{id}/read', { params: { path: { id } } })),
};

/** The filter without empty fields (the server reads "" as a value). */
function nonEmpty<T extends Record<string, string | undefined>>(filter: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') (out as Record<string, string>)[k] = v;
  return out;
}
