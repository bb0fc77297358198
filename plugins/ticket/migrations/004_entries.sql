-- Entries and exits (re-entry per the checkin policy, policies/checkin.lua). On a ticket:
-- whether its holder is inside now (set by an entry, cleared by an exit scan), how many entries
-- it has had, and the venue-local day number of the last one (ONCE_PER_DAY). used_at, used_gate
-- and used_by are those of the LAST entry. A ticket admitted before this migration counts as
-- one entry, its holder inside, on the UTC day of its admission.
ALTER TABLE ticket.tickets
    ADD COLUMN inside    boolean NOT NULL DEFAULT false,
    ADD COLUMN entries   integer NOT NULL DEFAULT 0 CHECK (entries >= 0),
    ADD COLUMN entry_day bigint;
UPDATE ticket.tickets
SET inside = true, entries = 1, entry_day = floor(extract(epoch FROM used_at) / 86400)::bigint
WHERE status = 'USED';

-- Every entry and exit, online or uploaded from an offline gate, with the rule that allowed it.
CREATE TABLE ticket.entries (
    id              bigserial PRIMARY KEY,
    ticket_id       text NOT NULL,
    schedule_id     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('ENTRY', 'EXIT')),
    at              timestamptz NOT NULL,
    gate            text,
    staff_id        text NOT NULL,
    offline         boolean NOT NULL DEFAULT false,
    reentry         text NOT NULL CHECK (reentry IN ('NONE', 'ONCE_PER_DAY', 'AFTER_EXIT')),
    policy_revision text
);
CREATE INDEX entries_by_ticket ON ticket.entries (ticket_id, id);
