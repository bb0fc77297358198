-- The queue plugin's durable state. Redis holds the live line (sorted sets); this is the record
-- it is rebuilt from and the audit of who was admitted with which fencing token.

-- One row per schedule that has (had) a waiting room.
CREATE TABLE queue.schedules (
  schedule_id   text PRIMARY KEY,
  phase         text NOT NULL CHECK (phase IN ('PREQUEUE', 'OPEN', 'SOLD_OUT')),
  seed          bytea NOT NULL,          -- secret until the sale starts (then revealed)
  commitment    text NOT NULL,           -- hex(SHA-256(seed)), public from the start
  sale_starts_at timestamptz,
  shuffled_at   timestamptz,             -- when the pre-queue was ordered and the seed revealed
  paused        boolean NOT NULL DEFAULT false,
  rate_override integer,                 -- operator's admissions per second (NULL: the policy's)
  admit_fence   bigint NOT NULL DEFAULT 0, -- fencing token of the latest admission tick
  admitted_total bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The durable join log: one row per (schedule, user); a re-join after leaving starts a new round.
-- Order of the line: pre-queue joins by HMAC(seed, join_id) (recomputed, never stored), then the
-- others by seq.
CREATE TABLE queue.joins (
  schedule_id   text NOT NULL,
  user_id       text NOT NULL,
  join_id       text NOT NULL,
  round         integer NOT NULL DEFAULT 1,
  prequeue      boolean NOT NULL,
  seq           bigint NOT NULL,         -- 0 for pre-queue joins
  state         text NOT NULL CHECK (state IN ('WAITING', 'ADMITTED', 'LEFT', 'EXPIRED', 'SOLD_OUT')),
  joined_at     timestamptz NOT NULL,
  admitted_at   timestamptz,
  admit_fence   bigint,
  token_expires_at timestamptz,
  converted     boolean NOT NULL DEFAULT false, -- held something while admitted
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, user_id)
);
CREATE INDEX joins_waiting ON queue.joins (schedule_id, state);
CREATE UNIQUE INDEX joins_join_id ON queue.joins (schedule_id, join_id);

-- Every admission, append-only: the primary key makes a second admission of the same place
-- (schedule, user, round) impossible, whatever two hosts do.
CREATE TABLE queue.admissions (
  schedule_id   text NOT NULL,
  user_id       text NOT NULL,
  round         integer NOT NULL,
  join_id       text NOT NULL,
  admit_fence   bigint NOT NULL,
  admitted_at   timestamptz NOT NULL,
  token_expires_at timestamptz NOT NULL,
  PRIMARY KEY (schedule_id, user_id, round)
);

-- Entry tokens revoked before their expiry (the user left, an operator cleared the line).
CREATE TABLE queue.denied (
  join_id       text NOT NULL,
  schedule_id   text NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (schedule_id, join_id)
);
CREATE INDEX denied_expiry ON queue.denied (expires_at);

-- Live holds and sold units per schedule, followed from reservation.* events.
CREATE TABLE queue.holds (
  reservation_id text PRIMARY KEY,
  schedule_id   text NOT NULL,
  units         integer NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX holds_schedule ON queue.holds (schedule_id, expires_at);
CREATE TABLE queue.sales (
  schedule_id   text PRIMARY KEY,
  sold          bigint NOT NULL DEFAULT 0
);

-- The entry-token key when none is configured in the environment: drawn once, shared by hosts.
CREATE TABLE queue.keys (
  name          text PRIMARY KEY,
  secret        bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
