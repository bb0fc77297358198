// The API client: every call the buyer app makes, in one module, over fetch with the session in
// HttpOnly cookies (same origin, `credentials: 'same-origin'`). Promises: every function resolves
// with the parsed body or rejects with an ApiError carrying the server's code, message, trace id
// and Retry-After; a 401 on a signed-in call triggers one silent refresh (POST /auth/refresh,
// single-flight) and a retry; mutations carry a fresh Idempotency-Key.
// Swappable: the signatures below are what the pages use; a client generated from /openapi.json
// can replace the bodies of these functions without touching the pages.
import type {
  Fairness, LoginAnswer, Notification, Page, Payment, Product, QueuePlace, Reservation,
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

function idempotencyKey(): string {
  return crypto.randomUUID();
}

async function parse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const retry = response.headers.get('Retry-After');
    throw new ApiError(
      response.status,
      body?.code ?? 'HTTP_' + response.status,
      body?.message ?? response.statusText,
      body?.traceId ?? response.headers.get('X-Trace-Id') ?? '',
      retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
    );
  }
  return body as T;
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

interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  retryOn401?: boolean;
}

async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['Idempotency-Key'] = idempotencyKey();
  const send = () =>
    fetch(base + path, {
      method,
      credentials: 'same-origin',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  let response = await send();
  if (response.status === 401 && options.retryOn401 !== false) {
    if (await refreshSession()) response = await send();
    else sessionLost();
  }
  return parse<T>(response);
}

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? '?' + text : '';
};

export const api = {
  signup: (email: string, password: string, name: string) =>
    call<User>('POST', '/auth/signup', { body: { email, password, name }, retryOn401: false }),
  login: (email: string, password: string) =>
    call<LoginAnswer>('POST', '/auth/login', {
      body: { email, password, tokenDelivery: 'cookie' },
      retryOn401: false,
    }),
  logout: () => call<void>('POST', '/auth/logout'),
  me: () => call<User>('GET', '/auth/me'),

  products: (filter: { q?: string; status?: string; from?: string; to?: string; cursor?: string }) =>
    call<Page<Product>>('GET', '/products' + q({ ...filter, limit: 50 })),
  product: (id: string) => call<Product>('GET', '/products/' + encodeURIComponent(id)),
  seats: (scheduleId: string) =>
    call<SeatMapBody>('GET', '/schedules/' + encodeURIComponent(scheduleId) + '/seats'),
  seatStreamUrl: (scheduleId: string) =>
    base + '/schedules/' + encodeURIComponent(scheduleId) + '/seats/stream',

  joinQueue: (scheduleId: string) =>
    call<QueuePlace>('POST', '/schedules/' + encodeURIComponent(scheduleId) + '/queue'),
  queuePlace: (scheduleId: string) =>
    call<QueuePlace>('GET', '/schedules/' + encodeURIComponent(scheduleId) + '/queue'),
  leaveQueue: (scheduleId: string) =>
    call<void>('DELETE', '/schedules/' + encodeURIComponent(scheduleId) + '/queue'),
  queueStreamUrl: (scheduleId: string) =>
    base + '/schedules/' + encodeURIComponent(scheduleId) + '/queue/stream',
  fairness: (scheduleId: string) =>
    call<Fairness>('GET', '/schedules/' + encodeURIComponent(scheduleId) + '/queue/fairness'),

  holdSeats: (scheduleId: string, seatIds: string[], entryToken?: string) =>
    call<Reservation>('POST', '/reservations', {
      body: { scheduleId, seatIds },
      headers: entryToken ? { 'X-Entry-Token': entryToken } : {},
    }),
  holdQuantity: (scheduleId: string, gradeId: string, quantity: number, entryToken?: string) =>
    call<Reservation>('POST', '/reservations', {
      body: { scheduleId, gradeId, quantity },
      headers: entryToken ? { 'X-Entry-Token': entryToken } : {},
    }),
  reservations: () => call<Page<Reservation>>('GET', '/reservations?limit=50'),
  reservation: (id: string) => call<Reservation>('GET', '/reservations/' + encodeURIComponent(id)),
  release: (id: string) => call<Reservation>('DELETE', '/reservations/' + encodeURIComponent(id)),
  cancel: (id: string) =>
    call<Reservation>('POST', '/reservations/' + encodeURIComponent(id) + '/cancel'),

  preparePayment: (reservationId: string) =>
    call<Payment>('POST', '/payments/prepare', { body: { reservationId, method: 'CARD' } }),
  confirmPayment: (paymentId: string, providerKey: string) =>
    call<Payment>('POST', '/payments/confirm', { body: { paymentId, providerKey } }),

  tickets: () => call<Page<Ticket>>('GET', '/tickets?limit=50'),
  ticketQrUrl: (ticketId: string) => base + '/tickets/' + encodeURIComponent(ticketId) + '/qr.svg',

  notifications: () => call<Page<Notification>>('GET', '/notifications?limit=50'),
  markRead: (id: string) =>
    call<void>('POST', '/notifications/' + encodeURIComponent(id) + '/read'),
};
