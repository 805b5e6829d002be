-- What the first start created and printed: the owner's password and the admin key (unless
-- RUNLOG_INIT_API_KEY chose it). Kept until the owner first signs in, so a first start that
-- failed after creating them (a port already taken) shows them again instead of locking the
-- newcomer out. Grants nothing a reader of this database cannot already do.
CREATE TABLE first_start_credentials (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL,
  password    text NOT NULL,
  api_key     text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
