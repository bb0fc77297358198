-- Login order of sessions, so "the oldest session" is exact even when two logins share a
-- timestamp (a manual clock, or the same millisecond).
ALTER TABLE auth.sessions ADD COLUMN login_seq bigserial;
CREATE INDEX sessions_user_open ON auth.sessions (user_id, login_seq) WHERE revoked_at IS NULL;
