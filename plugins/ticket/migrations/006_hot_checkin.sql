-- Check-in as a HOT update. ISSUED -> USED changed `status`, which both partial indexes named in
-- their predicates, so PostgreSQL could not update the row in place (heap-only): every admitted
-- ticket wrote a new row version elsewhere plus an entry in each of its four other indexes (and
-- their WAL). Measured with scripts/bench checkin: a third of PostgreSQL's work per admission.
--
-- The predicates now read stored generated columns that keep their value when a ticket is
-- admitted (PostgreSQL compares the stored values, not the columns an UPDATE names):
--   revoked  status = 'CANCELLED' OR issue > 0: the gate kit's revocation list;
--   live     ISSUED or USED and not yet past the expiry job: the tickets it still has to look at.
-- A USED ticket stays live until the expiry job passes it after the performance and sets
-- expiry_done, so the job's index never fills with the admitted tickets of past performances.
-- fillfactor 70 leaves room on each page for the admitted version of its rows (HOT needs the new
-- version on the same page); ALTER TABLE ... ADD COLUMN ... STORED rewrites the table with it.
ALTER TABLE ticket.tickets SET (fillfactor = 70);
ALTER TABLE ticket.tickets
    ADD COLUMN expiry_done boolean NOT NULL DEFAULT false,
    ADD COLUMN revoked boolean GENERATED ALWAYS AS (status = 'CANCELLED' OR issue > 0) STORED,
    ADD COLUMN live boolean
        GENERATED ALWAYS AS (status IN ('ISSUED', 'USED') AND NOT expiry_done) STORED;
DROP INDEX ticket.tickets_revoked;
DROP INDEX ticket.tickets_due;
CREATE INDEX tickets_revoked ON ticket.tickets (schedule_id) WHERE revoked;
CREATE INDEX tickets_due ON ticket.tickets (valid_until) WHERE live;
