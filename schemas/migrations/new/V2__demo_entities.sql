-- Entity tables of the sample model (schemas/avro/*.avsc). Columns are the entities' Avro
-- fields; _tandem_position is the source position of the change that wrote the row (a change
-- is applied only if newer), _tandem_commit_ts its legacy commit time.

CREATE TABLE customer (
  id                bigint      PRIMARY KEY,
  name              text        NOT NULL,
  email             text,
  balance_cents     bigint      NOT NULL,
  status            text        NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  country           text        NOT NULL,
  _tandem_position  bigint      NOT NULL,
  _tandem_commit_ts timestamptz
);

CREATE TABLE address (
  id                bigint      PRIMARY KEY,
  customer_id       bigint      NOT NULL,
  line1             text        NOT NULL,
  city              text        NOT NULL,
  postcode          text,
  country           text        NOT NULL,
  _tandem_position  bigint      NOT NULL,
  _tandem_commit_ts timestamptz
);
CREATE INDEX address_customer_id ON address (customer_id);

CREATE TABLE customer_order (
  id                bigint      PRIMARY KEY,
  customer_id       bigint      NOT NULL,
  total_cents       bigint      NOT NULL,
  currency          char(3)     NOT NULL,
  status            text        NOT NULL CHECK (status IN ('NEW', 'PAID', 'SHIPPED', 'CANCELLED')),
  placed_at         timestamptz NOT NULL,
  _tandem_position  bigint      NOT NULL,
  _tandem_commit_ts timestamptz
);
CREATE INDEX customer_order_customer_id ON customer_order (customer_id);
