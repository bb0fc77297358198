-- The schema "hello" is created by the host; this table records greetings (example only).
CREATE TABLE IF NOT EXISTS hello.greetings (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
