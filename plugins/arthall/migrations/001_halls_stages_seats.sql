-- arthall: halls, their stages and the seats generated from each stage's layout.
-- Rows are soft-deleted (deleted_at) and carry ACTIVE/INACTIVE status.
CREATE TABLE IF NOT EXISTS arthall.halls (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    address     TEXT        NOT NULL DEFAULT '',
    status      TEXT        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS halls_listing ON arthall.halls (created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS arthall.stages (
    id          TEXT PRIMARY KEY,
    hall_id     TEXT        NOT NULL REFERENCES arthall.halls (id),
    name        TEXT        NOT NULL,
    status      TEXT        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    seat_count  INTEGER     NOT NULL,
    layout      JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS stages_by_hall ON arthall.stages (hall_id) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS arthall.seats (
    id          TEXT PRIMARY KEY,
    stage_id    TEXT             NOT NULL REFERENCES arthall.stages (id),
    position    INTEGER          NOT NULL,
    section     TEXT             NOT NULL,
    row_label   TEXT             NOT NULL,
    number      INTEGER          NOT NULL,
    label       TEXT             NOT NULL,
    x           DOUBLE PRECISION NOT NULL,
    y           DOUBLE PRECISION NOT NULL,
    grade       TEXT             NOT NULL,
    status      TEXT             NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    deleted_at  TIMESTAMPTZ,
    UNIQUE (stage_id, label)
);
CREATE INDEX IF NOT EXISTS seats_by_stage ON arthall.seats (stage_id, position);
