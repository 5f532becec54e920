-- Merger example: shop B, a second legacy database merged into the same new model
-- (schemas/examples/merger/mappings/customer_shop_b.yaml). Its ids collide with shop A's on purpose.
CREATE TABLE clients (
  client_no    bigint PRIMARY KEY,
  display_name text NOT NULL,
  mail         text,
  credit_cents bigint NOT NULL DEFAULT 0,
  state        text NOT NULL CHECK (state IN ('active', 'blocked', 'closed')),
  joined_at    timestamptz NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT now()
);
-- Deletes carry the whole old row (the key rule and the match rule read it).
ALTER TABLE clients REPLICA IDENTITY FULL;
