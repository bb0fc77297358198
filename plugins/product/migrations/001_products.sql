-- product: performances, their grades, seat assignment snapshot, schedules, and per-schedule seat
-- state and grade counts kept current from reservation.* events.
CREATE TABLE IF NOT EXISTS product.products (
    id              TEXT PRIMARY KEY,
    seller_id       TEXT        NOT NULL,
    title           TEXT        NOT NULL,
    description     TEXT        NOT NULL DEFAULT '',
    category        TEXT        NOT NULL,
    stage_id        TEXT        NOT NULL,
    seating         TEXT        NOT NULL CHECK (seating IN ('RESERVED', 'GENERAL_ADMISSION')),
    status          TEXT        NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PENDING', 'APPROVED',
                        'SCHEDULED', 'ON_SALE', 'CLOSED', 'COMPLETED', 'CANCELLED')),
    sale_starts_at  TIMESTAMPTZ NOT NULL,
    sale_ends_at    TIMESTAMPTZ NOT NULL,
    reject_reason   TEXT,
    cancel_reason   TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (sale_ends_at > sale_starts_at)
);
CREATE INDEX IF NOT EXISTS products_listing ON product.products (created_at, id);
CREATE INDEX IF NOT EXISTS products_by_stage ON product.products (stage_id);
CREATE INDEX IF NOT EXISTS products_to_open ON product.products (sale_starts_at) WHERE status = 'SCHEDULED';
CREATE INDEX IF NOT EXISTS products_to_close ON product.products (sale_ends_at) WHERE status = 'ON_SALE';

CREATE TABLE IF NOT EXISTS product.grades (
    id              TEXT PRIMARY KEY,
    product_id      TEXT    NOT NULL REFERENCES product.products (id),
    position        INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    price_amount    BIGINT  NOT NULL CHECK (price_amount >= 0),
    currency        TEXT    NOT NULL,
    total           INTEGER NOT NULL CHECK (total >= 0),
    UNIQUE (product_id, name)
);

-- Which stage seat belongs to which grade (a snapshot of the stage layout taken when the grades
-- were set; empty for general admission).
CREATE TABLE IF NOT EXISTS product.grade_seats (
    product_id  TEXT             NOT NULL REFERENCES product.products (id),
    seat_id     TEXT             NOT NULL,
    grade_id    TEXT             NOT NULL REFERENCES product.grades (id),
    position    INTEGER          NOT NULL,
    label       TEXT             NOT NULL,
    x           DOUBLE PRECISION NOT NULL,
    y           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (product_id, seat_id)
);

CREATE TABLE IF NOT EXISTS product.schedules (
    id          TEXT PRIMARY KEY,
    product_id  TEXT        NOT NULL REFERENCES product.products (id),
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS schedules_by_product ON product.schedules (product_id, starts_at);

-- Remaining = total - held - sold, per schedule and grade (rows created at approval).
CREATE TABLE IF NOT EXISTS product.schedule_grades (
    schedule_id TEXT    NOT NULL REFERENCES product.schedules (id),
    grade_id    TEXT    NOT NULL REFERENCES product.grades (id),
    total       INTEGER NOT NULL,
    held        INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    sold        INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    PRIMARY KEY (schedule_id, grade_id)
);

-- Seats that are not AVAILABLE on a schedule (absent row = AVAILABLE).
CREATE TABLE IF NOT EXISTS product.seat_states (
    schedule_id    TEXT NOT NULL REFERENCES product.schedules (id),
    seat_id        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('HELD', 'SOLD')),
    reservation_id TEXT NOT NULL,
    PRIMARY KEY (schedule_id, seat_id)
);

-- General-admission units per reservation (HELD, then SOLD; deleted when released/cancelled).
CREATE TABLE IF NOT EXISTS product.ga_holds (
    reservation_id TEXT PRIMARY KEY,
    schedule_id    TEXT    NOT NULL REFERENCES product.schedules (id),
    grade_id       TEXT    NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    status         TEXT    NOT NULL CHECK (status IN ('HELD', 'SOLD'))
);
