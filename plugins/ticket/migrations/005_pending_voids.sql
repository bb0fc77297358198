-- Buyer cancellations whose tickets the refund guard (ticket.void_reservation) voided, in its own
-- transaction, before the reservation plugin cancels the reservation in another. The voided
-- tickets stay CANCELLED with status_reason CANCEL_REQUESTED (a gate refuses them at once) until
-- reservation.cancelled settles the row: the reason becomes the cancellation's and the tickets are
-- announced (ticket.cancelled). A row still here after the grace period whose reservation is still
-- CONFIRMED means the cancellation never committed (its process died between the two
-- transactions, or the reservation refused it): its tickets are ISSUED again (pending_voids.cpp).
-- Without this a kill -9 between the two left a paid order with only cancelled tickets
-- (scripts/chaos, a kill of every instance during cancellations).
CREATE TABLE ticket.pending_voids (
    reservation_id text PRIMARY KEY,
    actor text NOT NULL,
    voided_at timestamptz NOT NULL
);
CREATE INDEX pending_voids_voided_at ON ticket.pending_voids (voided_at);
