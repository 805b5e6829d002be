-- Dashboard sessions: a user signs in with email and password and gets an httpOnly cookie
-- holding a random token; only its hash is stored. Looked up by hash before the tenant is known.
CREATE TABLE sessions (
  tenant_id     uuid NOT NULL,
  token_hash    text NOT NULL,
  user_id       uuid NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  expires_at    timestamptz(3) NOT NULL,
  PRIMARY KEY (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_token_idx ON sessions (token_hash);
