-- Reservations this plugin has seen cancelled (reservation.cancelled), kept so that a
-- reservation.confirmed handled AFTER the cancellation (the two reach the plugin through
-- separate subscriptions; after a crash or a PostgreSQL restart the confirmation may be retried
-- for longer than the cancellation) issues its tickets born CANCELLED instead of valid tickets
-- for a cancelled, refunded order. Issue and cancellation of one reservation serialize on a
-- transaction-scoped advisory lock of the reservation id (ticket_issuer.cpp).
CREATE TABLE ticket.cancelled_reservations (
    reservation_id text PRIMARY KEY,
    reason text NOT NULL,
    actor text NOT NULL,
    cancelled_at timestamptz NOT NULL
);
