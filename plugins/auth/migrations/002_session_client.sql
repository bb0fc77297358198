-- The OAuth client a session was started for (RFC 9068 client_id in its access tokens).
ALTER TABLE auth.sessions ADD COLUMN client_id text NOT NULL DEFAULT 'admit-web';
