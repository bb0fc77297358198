-- Payments (one per checkout attempt of a reservation), their refunds, the log of every provider
-- exchange, and the provider webhook events already handled.
CREATE TABLE payment.payments (
    id                 text PRIMARY KEY,
    order_id           text NOT NULL UNIQUE,
    reservation_id     text NOT NULL,
    user_id            text NOT NULL,
    provider           text NOT NULL,
    method             text NOT NULL,
    amount             bigint NOT NULL CHECK (amount > 0),
    currency           text NOT NULL,
    status             text NOT NULL CHECK (status IN ('READY', 'IN_PROGRESS', 'APPROVED', 'FAILED',
                                                       'UNKNOWN', 'PARTIALLY_REFUNDED', 'REFUNDED')),
    payment_key        text,
    checkout_url       text,
    hold_expires_at    timestamptz,   -- the reservation's expiresAt when prepared
    fees_revision      text,          -- the fees.lua revision that priced the reservation
    approved_amount    bigint,
    refunded_amount    bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
    failure_code       text,
    failure_message    text,
    problem            text,          -- a reconciliation problem an admin must look at
    confirm_started_at timestamptz,
    approved_at        timestamptz,
    reconciled_at      timestamptz,
    saga_completed_at  timestamptz,   -- the saga after approval finished (reservation or refund)
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
-- One live payment per reservation: a FAILED one does not count.
CREATE UNIQUE INDEX payments_live_per_reservation ON payment.payments (reservation_id)
    WHERE status <> 'FAILED';
CREATE INDEX payments_by_user ON payment.payments (user_id, created_at DESC, id);
CREATE INDEX payments_by_created ON payment.payments (created_at DESC, id);
CREATE INDEX payments_unresolved ON payment.payments (updated_at)
    WHERE status IN ('IN_PROGRESS', 'UNKNOWN');
CREATE INDEX payments_saga_open ON payment.payments (approved_at)
    WHERE status = 'APPROVED' AND saga_completed_at IS NULL;
CREATE INDEX payments_with_problem ON payment.payments (updated_at) WHERE problem IS NOT NULL;

-- Refunds: one row per decision to pay money back; `cause` dedupes the decision (one refund per
-- cancelled reservation, per lost hold, per amount mismatch; staff refunds by their own id).
CREATE TABLE payment.refunds (
    id              text PRIMARY KEY,
    payment_id      text NOT NULL REFERENCES payment.payments (id),
    amount          bigint NOT NULL CHECK (amount > 0),
    reason          text NOT NULL,  -- BUYER_CANCELLED, PRODUCT_CANCELLED, HOLD_LOST, AMOUNT_MISMATCH, STAFF
    note            text,
    cause           text NOT NULL UNIQUE,
    policy_revision text,
    status          text NOT NULL CHECK (status IN ('PENDING', 'DONE', 'REFUSED')),
    actor           text NOT NULL,
    failure         text,
    created_at      timestamptz NOT NULL,
    done_at         timestamptz
);
CREATE INDEX refunds_by_payment ON payment.refunds (payment_id);
CREATE INDEX refunds_pending ON payment.refunds (created_at) WHERE status = 'PENDING';

-- Every provider request and response (secrets redacted by the adapter), as URR's payment_logs.
CREATE TABLE payment.logs (
    id         bigserial PRIMARY KEY,
    payment_id text NOT NULL,
    operation  text NOT NULL,   -- confirm, cancel, query, webhook
    outcome    text NOT NULL,
    exchange   jsonb,
    at         timestamptz NOT NULL
);
CREATE INDEX logs_by_payment ON payment.logs (payment_id, id);

-- Provider webhook events handled, by the provider's event id (duplicates are answered 200 and
-- change nothing).
CREATE TABLE payment.webhook_events (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    order_id    text,
    event_type  text,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (provider, event_id)
);
