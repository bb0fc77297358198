-- Tickets: one row per seat or general-admission unit of a confirmed reservation.
-- UNIQUE (reservation_id, unit_key) makes issuing idempotent: a redelivered
-- reservation.confirmed inserts nothing new (unit_key = seat id, or "<gradeId>#<n>").
CREATE TABLE ticket.tickets (
    id             text PRIMARY KEY,
    reservation_id text NOT NULL,
    unit_key       text NOT NULL,
    schedule_id    text NOT NULL,
    product_id     text NOT NULL,
    user_id        text NOT NULL,
    seat_id        text,
    seat_label     text,
    grade_id       text,
    grade_name     text,
    status         text NOT NULL CHECK (status IN ('ISSUED', 'USED', 'CANCELLED', 'EXPIRED')),
    issue          integer NOT NULL DEFAULT 0 CHECK (issue BETWEEN 0 AND 255),
    kid            text NOT NULL,
    signed_ticket  text NOT NULL,   -- base45: payload with the ticket key + venue signature
    ticket_seed    text NOT NULL,   -- base64url: the ticket key's seed, for the owner's app only
    static_code    text NOT NULL,   -- base45: the printed code (no ticket key)
    valid_from     timestamptz NOT NULL,
    valid_until    timestamptz NOT NULL,
    status_reason  text,
    used_at        timestamptz,
    used_gate      text,
    used_by        text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (reservation_id, unit_key)
);
CREATE INDEX tickets_by_user ON ticket.tickets (user_id, id);
CREATE INDEX tickets_by_schedule ON ticket.tickets (schedule_id, id);
CREATE INDEX tickets_revoked ON ticket.tickets (schedule_id) WHERE status = 'CANCELLED' OR issue > 0;
CREATE INDEX tickets_due ON ticket.tickets (valid_until) WHERE status = 'ISSUED';

-- What the plugin knows of a schedule (from product.sale_context at first issue): the gate
-- window of its kit and of the tickets it issues (they expire after valid_until).
CREATE TABLE ticket.schedules (
    schedule_id  text PRIMARY KEY,
    product_id   text NOT NULL,
    seller_id    text NOT NULL,
    title        text NOT NULL,
    starts_at    timestamptz NOT NULL,
    valid_from   timestamptz NOT NULL,   -- doors open
    valid_until  timestamptz NOT NULL,   -- the performance has ended
    cancelled    boolean NOT NULL DEFAULT false
);

-- Venue signing keys kept in the database: the development default signer (with its seed,
-- used only when no key comes from the environment) and the public half of every key that ever
-- signed, so tickets signed before a rotation keep verifying.
CREATE TABLE ticket.signing_keys (
    kid        text PRIMARY KEY,
    public_key text NOT NULL,
    seed       text,
    created_at timestamptz NOT NULL,
    retired_at timestamptz
);

-- Every scan that carried a nonce (offline batches always do): the nonce deduplicates uploads.
CREATE TABLE ticket.scans (
    nonce       text PRIMARY KEY,
    ticket_id   text,
    schedule_id text,
    gate        text,
    staff_id    text NOT NULL,
    scanned_at  timestamptz NOT NULL,
    outcome     text NOT NULL,   -- ADMITTED, ALREADY_USED, REFUSED, INVALID, CONFLICT
    reason      text,
    response    text,            -- the answer given, replayed for a repeated nonce
    recorded_at timestamptz NOT NULL
);

-- Offline admissions the server could not honour: one ticket admitted at two gates, or a
-- ticket a gate admitted with a stale kit. Admins list them (GET /api/v1/admin/checkin/conflicts).
CREATE TABLE ticket.checkin_conflicts (
    id          text PRIMARY KEY,
    ticket_id   text,
    schedule_id text,
    kind        text NOT NULL CHECK (kind IN ('DOUBLE_ADMISSION', 'INVALID_ADMISSION')),
    nonce       text NOT NULL,
    gate        text,
    scanned_at  timestamptz NOT NULL,
    first_at    timestamptz,
    first_gate  text,
    reason      text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX conflicts_by_schedule ON ticket.checkin_conflicts (schedule_id, id);

-- Staff limited to schedules: a staff member with at least one row checks in only those.
CREATE TABLE ticket.staff_schedules (
    user_id     text NOT NULL,
    schedule_id text NOT NULL,
    assigned_by text NOT NULL,
    assigned_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, schedule_id)
);
