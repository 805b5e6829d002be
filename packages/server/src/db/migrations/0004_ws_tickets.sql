-- One-time WebSocket tickets (SPEC §5): a browser cannot set an Authorization header on a
-- WebSocket upgrade, so it trades its credentials for a short-lived ticket and passes that
-- in the URL instead of a long-lived secret. Only a hash is stored; a ticket is deleted when
-- it is used, so it works once, on whichever node the client reaches.
CREATE TABLE ws_tickets (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL,
  ticket_hash  text NOT NULL,
  -- Who asked for it: the connection acts with these credentials.
  key_id       text,
  scopes       text[] NOT NULL,
  user_id      text,
  project_id   text,
  expires_at   timestamptz(3) NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- Redemption looks a ticket up by hash before the tenant is known (like api_keys_prefix_idx).
CREATE INDEX ws_tickets_hash_idx ON ws_tickets (ticket_hash);
-- Issuing a ticket purges the tenant's expired ones.
CREATE INDEX ws_tickets_expiry_idx ON ws_tickets (tenant_id, expires_at);
