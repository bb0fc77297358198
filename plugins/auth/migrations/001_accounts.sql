-- The schema "auth" is created by the host. Accounts, sessions (refresh-token families), refresh
-- tokens (stored as SHA-256 only) and access-token signing keys.
CREATE TABLE auth.users (
    id             TEXT        PRIMARY KEY,
    email          TEXT        NOT NULL,           -- lower-cased
    name           TEXT        NOT NULL,
    role           TEXT        NOT NULL CHECK (role IN ('customer', 'seller', 'admin', 'staff')),
    tier           TEXT        NOT NULL DEFAULT 'none' CHECK (tier IN ('none', 'SILVER', 'GOLD', 'DIAMOND')),
    status         TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    password_hash  TEXT        NOT NULL,           -- argon2id encoded string
    token_version  BIGINT      NOT NULL DEFAULT 0, -- bumped by every admin change: older access tokens stop
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON auth.users (email);
CREATE INDEX users_flagged ON auth.users (id) WHERE token_version > 0 OR status <> 'active';

CREATE TABLE auth.sessions (
    id             TEXT        PRIMARY KEY,        -- the refresh family id (claim "sid")
    user_id        TEXT        NOT NULL REFERENCES auth.users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT                             -- LOGOUT, TOKEN_REUSED
);
CREATE INDEX sessions_user ON auth.sessions (user_id);
CREATE INDEX sessions_revoked ON auth.sessions (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE auth.refresh_tokens (
    token_hash     TEXT        PRIMARY KEY,        -- hex SHA-256 of the token
    session_id     TEXT        NOT NULL REFERENCES auth.sessions (id),
    issued_at      TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ                      -- set when rotated; a second use is theft
);
CREATE INDEX refresh_tokens_session ON auth.refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expiry ON auth.refresh_tokens (expires_at);

CREATE TABLE auth.signing_keys (
    kid            TEXT        PRIMARY KEY,
    algorithm      TEXT        NOT NULL DEFAULT 'EdDSA',
    public_key     TEXT        NOT NULL,           -- base64url Ed25519 public key
    private_seed   TEXT,                           -- base64url seed; NULL for keys that come from the environment
    created_at     TIMESTAMPTZ NOT NULL,
    retired_at     TIMESTAMPTZ                     -- stopped signing; verifies for one access-token lifetime more
);
