-- ForwardSyncBenchmark: the new-database table of the bench entity (bench-schemas/avro/customer.avsc).
CREATE TABLE customer (
  id                bigint      PRIMARY KEY,
  name              text        NOT NULL,
  email             text,
  balance_cents     bigint      NOT NULL,
  status            text        NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
  updated_at        timestamptz NOT NULL,
  _tandem_position  bigint      NOT NULL,
  _tandem_commit_ts timestamptz
);
