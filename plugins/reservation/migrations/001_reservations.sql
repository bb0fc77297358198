-- Reservations (one per hold) and claims (one row per live seat or GA unit).
-- A claim row exists exactly while its seat/unit is held or sold: releasing deletes it, so the
-- primary key (schedule_id, claim_id) is the "at most one live claim per seat" guarantee.
-- GA stock is modelled as units "<gradeId>#<n>" (n in 1..total): the same key makes it
-- impossible to hand out a unit twice, so remaining stock can never go below zero.
CREATE TABLE reservation.reservations (
    id               text PRIMARY KEY,
    user_id          text NOT NULL,
    schedule_id      text NOT NULL,
    product_id       text NOT NULL,
    seating          text NOT NULL CHECK (seating IN ('RESERVED', 'GENERAL_ADMISSION')),
    grade_id         text,
    quantity         integer NOT NULL CHECK (quantity > 0),
    claim_ids        text[] NOT NULL,
    items            jsonb NOT NULL,
    status           text NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'CONFIRMED', 'PAYMENT_FAILED',
                                                     'CANCELLED', 'EXPIRED')),
    status_reason    text,
    fencing_token    bigint NOT NULL,
    idempotency_key  text,
    expires_at       timestamptz NOT NULL,
    starts_at        timestamptz,
    subtotal         bigint NOT NULL,
    fees             bigint NOT NULL,
    total            bigint NOT NULL,
    currency         text NOT NULL,
    refund           bigint,
    payment_id       text,
    policy_revisions jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX reservations_due ON reservation.reservations (expires_at) WHERE status = 'PENDING_PAYMENT';
CREATE INDEX reservations_by_user ON reservation.reservations (user_id, created_at DESC, id);
CREATE INDEX reservations_by_schedule ON reservation.reservations (schedule_id)
    WHERE status IN ('PENDING_PAYMENT', 'CONFIRMED');

CREATE TABLE reservation.claims (
    schedule_id    text NOT NULL,
    claim_id       text NOT NULL,
    reservation_id text NOT NULL,
    fencing_token  bigint NOT NULL,
    status         text NOT NULL CHECK (status IN ('HELD', 'SOLD')),
    PRIMARY KEY (schedule_id, claim_id)
);
CREATE INDEX claims_by_reservation ON reservation.claims (reservation_id);

-- The fencing epoch: bumped whenever Redis is found without its state, so tokens
-- (epoch << 32 | Redis counter) stay monotonic across a Redis that lost its data.
CREATE TABLE reservation.fencing_epoch (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch     bigint NOT NULL
);
INSERT INTO reservation.fencing_epoch (epoch) VALUES (0);
