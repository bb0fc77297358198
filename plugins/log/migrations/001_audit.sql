-- The audit log: one entry per event, append-only, hash-chained in `seq` order.
--
-- log.entries is partitioned by the time an entry was recorded (microseconds since the epoch);
-- the plugin creates partitions as time moves on (log.partitions lists them) and retention drops
-- whole partitions, recording in log.anchors the last link of each dropped one so that the chain
-- stays verifiable from there. Times are integer microseconds so that the hashed values are the
-- stored values, bit for bit; `summary` is `json` (not jsonb) for the same reason: it keeps the
-- exact text that was hashed.
CREATE TABLE log.entries (
    seq             bigint NOT NULL,          -- 1, 2, 3 ... in chain order, no gaps
    event_id        text   NOT NULL,          -- the outbox event this entry records
    occurred_us     bigint NOT NULL,          -- when the action happened (the event's "at")
    recorded_us     bigint NOT NULL,          -- when this entry was written (partition key)
    actor           text   NOT NULL,          -- user id, or "system"
    action          text   NOT NULL,          -- the event topic ("reservation.confirmed")
    resource_type   text   NOT NULL,          -- "reservation", "user", ...
    resource_id     text,                     -- "rsv_..." (NULL when the event names none)
    trace_id        text,
    policy_revision text,                     -- the policy revision that decided, when one did
    summary         json   NOT NULL,          -- the event payload (before/after where it has them)
    prev_hash       text   NOT NULL,          -- hash of entry seq-1 (or of the anchor / genesis)
    hash            text   NOT NULL,          -- SHA-256 (hex) over prev_hash and every field above
    PRIMARY KEY (seq, recorded_us)
) PARTITION BY RANGE (recorded_us);

-- One index per filter of GET /api/v1/admin/audit (newest first by seq), and time ranges.
CREATE INDEX entries_actor ON log.entries (actor, seq);
CREATE INDEX entries_resource ON log.entries (resource_type, resource_id, seq);
CREATE INDEX entries_action ON log.entries (action, seq);
CREATE INDEX entries_occurred ON log.entries (occurred_us);
CREATE INDEX entries_recorded ON log.entries (recorded_us);

-- Idempotency per event id, also beyond the host's handled-ids retention.
CREATE TABLE log.recorded_events (
    event_id    text PRIMARY KEY,
    seq         bigint NOT NULL,
    recorded_us bigint NOT NULL
);
CREATE INDEX recorded_events_time ON log.recorded_events (recorded_us);

-- The partitions of log.entries: [from_us, to_us).
CREATE TABLE log.partitions (
    name    text PRIMARY KEY,
    from_us bigint NOT NULL,
    to_us   bigint NOT NULL
);

-- The last link of every partition retention dropped: the next entry's prev_hash must equal
-- last_hash, so the chain of what remains is verifiable from here.
CREATE TABLE log.anchors (
    partition  text PRIMARY KEY,
    from_us    bigint NOT NULL,
    to_us      bigint NOT NULL,
    first_seq  bigint,
    last_seq   bigint,
    last_hash  text,
    entries    bigint NOT NULL,
    dropped_us bigint NOT NULL
);
CREATE UNIQUE INDEX anchors_last_seq ON log.anchors (last_seq);

-- Append-only for real: UPDATE, DELETE and TRUNCATE are refused, whoever asks. Retention detaches
-- and drops whole partitions, which fires none of these.
CREATE FUNCTION log.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON log.entries
    FOR EACH ROW EXECUTE FUNCTION log.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON log.entries
    FOR EACH STATEMENT EXECUTE FUNCTION log.refuse_change();
CREATE TRIGGER anchors_append_only BEFORE UPDATE OR DELETE ON log.anchors
    FOR EACH ROW EXECUTE FUNCTION log.refuse_change();
CREATE TRIGGER anchors_no_truncate BEFORE TRUNCATE ON log.anchors
    FOR EACH STATEMENT EXECUTE FUNCTION log.refuse_change();

-- The writer role admit_log_writer (created by the operator, see README.md) gets its grants from
-- the plugin at every start: INSERT and SELECT only.
