// The REST contract's shapes the buyer app uses, taken from schema.d.ts: openapi-typescript's
// rendering of the platform's /openapi.json (regenerate it with `npm run api:types -- <url or
// file>` after a contract changes). Each name below is the success body of one operation, or a
// part of one, so the pages read exactly what the routes' contracts promise. Shapes the contract
// leaves open (the compact seat rows, SSE messages) are typed here by hand, next to the part of
// the contract that describes them.
import type { operations } from './schema';

/** The JSON body of `op`'s answer with `status`. */
type Body<Op extends keyof operations, Status extends number = 200> =
  operations[Op]['responses'] extends { [S in Status]: { content: { 'application/json': infer B } } }
    ? B
    : never;

export type ErrorBody = Body<'getReservation', 404>;
export type User = Body<'getMe'>;
export type LoginAnswer = Body<'logIn'>;
export type Product = Body<'getProduct'>;
export type ProductSummary = Body<'listProducts'>['items'][number];
export type ProductStatus = Product['status'];
export type Schedule = NonNullable<Product['schedules']>[number];
export type SeatMapBody = Body<'getSeatMap'>;
export type QueuePlace = Body<'getQueuePosition'>;
export type QueueStatus = QueuePlace['status'];
export type Fairness = Body<'getQueueFairness'>;
export type Reservation = Body<'getReservation'>;
export type ReservationStatus = Reservation['status'];
export type Money = Reservation['price']['total'];
export type RefundQuote = Body<'quoteReservationRefund'>;
export type Payment = Body<'preparePayment'> | Body<'preparePayment', 201>;
export type Ticket = Body<'listTickets'>['items'][number];
export type Notification = Body<'listNotifications'>['items'][number];
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

/** One row of SeatMapBody.seats, read through its `columns` (the contract leaves rows open). */
export interface Seat {
  seatId: string;
  label: string;
  grade: number; // index into SeatMapBody.grades
  x: number;
  y: number;
  status: SeatStatus;
}

/** A message of GET /schedules/{id}/queue/stream (the stream's contract names it; SSE bodies are
 * not in the OpenAPI document's schemas). */
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
