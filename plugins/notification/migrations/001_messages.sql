-- Messages (one per event, recipient and channel), users' preferences, operators' webhooks.
CREATE TABLE notification.messages (
    seq             bigserial UNIQUE,           -- list order and cursor
    id              text PRIMARY KEY,           -- ntf_...
    event_id        text NOT NULL,
    event_type      text NOT NULL,              -- the event topic
    kind            text NOT NULL,              -- the template ("reservation_confirmed")
    channel         text NOT NULL CHECK (channel IN ('in_app', 'email', 'webhook')),
    recipient       text NOT NULL,              -- user id (in_app, email) or webhook id
    essential       boolean NOT NULL,
    data            json NOT NULL,              -- what the template saw / the webhook payload
    subject         text,
    body            text,
    status          text NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_us bigint NOT NULL,
    last_error      text,
    last_status     integer,                    -- webhook: HTTP status of the last attempt
    latency_ms      integer,                    -- webhook / e-mail: duration of the last attempt
    created_us      bigint NOT NULL,
    sent_us         bigint,
    read_us         bigint,                     -- in_app: when the recipient read it
    UNIQUE (event_id, recipient, channel)       -- a redelivered event sends nothing twice
);
CREATE INDEX messages_due ON notification.messages (channel, next_attempt_us)
    WHERE status IN ('queued', 'failed');
CREATE INDEX messages_recipient ON notification.messages (recipient, channel, seq);
CREATE INDEX messages_dead ON notification.messages (seq) WHERE status = 'dead';
CREATE INDEX messages_created ON notification.messages (created_us);

CREATE TABLE notification.preferences (
    user_id             text PRIMARY KEY,
    email_non_essential boolean NOT NULL DEFAULT true,
    language            text,
    updated_us          bigint NOT NULL
);

CREATE TABLE notification.webhooks (
    id          text PRIMARY KEY,               -- whk_...
    url         text NOT NULL,
    event_types text[] NOT NULL,                -- topics or prefixes ending in '*'
    secret      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED', 'DELETED')),
    disabled_reason text,
    created_by  text NOT NULL,
    created_us  bigint NOT NULL,
    updated_us  bigint NOT NULL
);
