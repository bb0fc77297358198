-- A key withdrawn never verifies again, however recently it was retired: the database keys (their
-- private seed sat in PostgreSQL) once the signer comes from the environment. Their seed is
-- cleared at the same time.
ALTER TABLE auth.signing_keys ADD COLUMN withdrawn_at timestamptz;
