-- Tandem's own tables in the LEGACY database, for coexistence (docs/coexistence.md). Reverse sync creates
-- them at start (Flyway history in tandem_schema_history); they never touch the application's tables.

-- The newest new-side position reverse sync applied per legacy key (deleted: it was a delete), so a
-- replayed older change is skipped: legacy tables have no room for Tandem's bookkeeping columns.
CREATE TABLE tandem_applied_positions (
  entity     text        NOT NULL,
  key_json   text        NOT NULL,
  position   bigint      NOT NULL,
  deleted    boolean     NOT NULL DEFAULT false,
  commit_ts  timestamptz,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity, key_json)
);
CREATE INDEX tandem_applied_positions_deleted ON tandem_applied_positions (applied_at) WHERE deleted;

-- Write fences per cohort on this side. A fence's update is also its marker in this database's change
-- stream: everything committed before it has been captured when capture hands it over.
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

-- Every transaction a Tandem sink commits here updates its writer's row first; capture drops whole
-- transactions that carry it, so what Tandem applied is never sent back (no echo).
CREATE TABLE tandem_origin (
  writer       text        PRIMARY KEY,
  transactions bigint      NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Both are captured (markers); text columns need full row images (capture refuses them otherwise).
ALTER TABLE tandem_write_fence REPLICA IDENTITY FULL;
ALTER TABLE tandem_origin REPLICA IDENTITY FULL;
