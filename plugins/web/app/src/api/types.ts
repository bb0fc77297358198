// The REST contract's shapes the buyer app uses, typed by hand from /work/shared/API.md and the
// plugins' READMEs. To be replaced by types generated from /openapi.json (openapi-typescript)
// once the OpenAPI document carries the bodies: keep every API type in this file.

export interface Money {
  amount: number; // minor units of `currency`
  currency: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  traceId: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Role = 'customer' | 'seller' | 'admin' | 'staff';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  tier?: string;
}

export interface LoginAnswer {
  tokenType: 'Cookie' | 'Bearer';
  expiresIn: number;
  user: User;
}

export type ProductStatus =
  | 'DRAFT' | 'PENDING' | 'APPROVED' | 'SCHEDULED' | 'ON_SALE' | 'CLOSED' | 'COMPLETED' | 'CANCELLED';

export interface GradeSummary {
  gradeId: string;
  name?: string;
  total: number;
  held?: number;
  sold?: number;
  remaining: number;
}

export interface Grade {
  gradeId: string;
  name: string;
  price: Money;
  quantity?: number;
}

export interface Schedule {
  scheduleId: string;
  startsAt: string;
  durationMinutes?: number;
  queueRequired: boolean;
  grades?: GradeSummary[];
}

export interface Product {
  productId: string;
  title: string;
  description?: string;
  category: string;
  status: ProductStatus;
  seating?: 'RESERVED' | 'GENERAL_ADMISSION';
  saleStartsAt: string;
  saleEndsAt: string;
  grades?: Grade[];
  schedules?: Schedule[];
}

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

/** GET /schedules/{id}/seats: compact rows, `columns` names their fields. */
export interface SeatMapBody {
  scheduleId: string;
  productId: string;
  productStatus: ProductStatus;
  seating: 'RESERVED' | 'GENERAL_ADMISSION';
  version: string;
  grades: { gradeId: string; name: string; price: Money; total: number; remaining: number }[];
  columns: string[];
  seats: (string | number)[][];
}

export interface Seat {
  seatId: string;
  label: string;
  grade: number; // index into SeatMapBody.grades
  x: number;
  y: number;
  status: SeatStatus;
}

export type QueueStatus = 'PREQUEUE' | 'WAITING' | 'ADMITTED' | 'SOLD_OUT' | 'PAUSED';

export interface QueuePlace {
  status: QueueStatus;
  position: number | null;
  aheadOf: number | null;
  etaSeconds: number | null;
  pollAfterMs: number;
  entryToken?: string;
  entryExpiresAt?: string;
  joinId: string;
  scheduleId: string;
  waiting?: number;
  admittedTotal?: number;
  seatsRemaining?: number;
  saleStartsAt?: string;
}

export interface QueueUpdate {
  scheduleId: string;
  version: number;
  status: 'OPEN' | 'PAUSED' | 'SOLD_OUT' | 'CLEARED';
  admitted: string[];
  admittedTotal: number;
  waiting: number;
  admitPerSecond: number;
  seatsRemaining: number;
}

export interface Fairness {
  scheduleId: string;
  phase: string;
  commitment: string;
  algorithm: string;
  seed: string | null;
  joinIds: string[] | null;
}

export type ReservationStatus =
  | 'PENDING_PAYMENT' | 'CONFIRMED' | 'PAYMENT_FAILED' | 'CANCELLED' | 'EXPIRED';

export interface Reservation {
  reservationId: string;
  scheduleId: string;
  status: ReservationStatus;
  seats?: { seatId?: string; gradeId?: string; label?: string; quantity?: number; price?: Money }[];
  gradeId?: string;
  quantity?: number;
  expiresAt: string;
  price: { subtotal: Money; fees: Money; total: Money };
  refund?: Money;
  title?: string;
}

export interface Payment {
  paymentId: string;
  orderId: string;
  amount: Money;
  status: string;
  checkoutUrl?: string;
  failure?: { code: string; message: string };
}

export interface Ticket {
  ticketId: string;
  reservationId: string;
  scheduleId: string;
  status: 'ISSUED' | 'USED' | 'CANCELLED' | 'EXPIRED';
  seat: { seatId: string; label: string } | null;
  grade: { gradeId: string; name: string } | null;
  validFrom?: string;
  code?: string;
}

export interface Notification {
  id: string;
  title?: string;
  body?: string;
  subject?: string;
  createdAt: string;
  readAt?: string | null;
}
