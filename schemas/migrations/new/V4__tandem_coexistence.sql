-- Coexistence (docs/coexistence.md): applications write new rows themselves once new owns a key.

-- Rows written by an application carry no source position: they are older than any legacy change the
-- sink may apply after the key's ownership moved back to legacy.
ALTER TABLE customer ALTER COLUMN _tandem_position DROP NOT NULL;
ALTER TABLE address ALTER COLUMN _tandem_position DROP NOT NULL;
ALTER TABLE customer_order ALTER COLUMN _tandem_position DROP NOT NULL;

-- Reverse capture needs whole before-images: a delete's legacy key may come from any field.
ALTER TABLE customer REPLICA IDENTITY FULL;
ALTER TABLE address REPLICA IDENTITY FULL;
ALTER TABLE customer_order REPLICA IDENTITY FULL;

-- Write fences per cohort on this side; see the legacy migration V1__tandem_coexistence.sql.
CREATE TABLE tandem_write_fence (
  entity     text        NOT NULL,
  cohort     text        NOT NULL,
  writable   boolean     NOT NULL,
  switch_id  text,
  -- Offset in the routing log of the switch's latest step: a writer whose routing view has not applied
  -- it yet must catch up before it writes here (docs/coexistence.md, "Write cutover").
  routing_offset bigint NOT NULL DEFAULT -1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity, cohort)
);

-- Transactions of Tandem's sinks; capture drops them (no echo).
CREATE TABLE tandem_origin (
  writer       text        PRIMARY KEY,
  transactions bigint      NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Both are captured (markers); text columns need full row images (capture refuses them otherwise).
ALTER TABLE tandem_write_fence REPLICA IDENTITY FULL;
ALTER TABLE tandem_origin REPLICA IDENTITY FULL;
