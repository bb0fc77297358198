-- Secrets the auth plugin generates once per deployment when the environment gives none (the key
-- of the keyed email hash). Every host of a fleet reads the same row.
CREATE TABLE auth.deployment_secrets (
    name       TEXT        PRIMARY KEY,
    value      TEXT        NOT NULL,                 -- base64url random bytes
    created_at TIMESTAMPTZ NOT NULL
);
