-- Tandem's own tables in a legacy MariaDB, for coexistence (docs/coexistence.md): the same three tables as
-- schemas/migrations/legacy, in MariaDB's types. Reverse sync creates them at start (Flyway history in
-- tandem_schema_history); they never touch the application's tables. Full row images come from the server's
-- binlog_row_image = FULL, which capture requires anyway.

-- The newest new-side position reverse sync applied per legacy key (deleted: it was a delete). InnoDB keys are
-- at most 3,072 bytes: 100 + 600 utf8mb4 characters fit; a longer key JSON is refused (a dead letter).
CREATE TABLE tandem_applied_positions (
  entity     varchar(100) NOT NULL,
  key_json   varchar(600) NOT NULL,
  position   bigint       NOT NULL,
  deleted    boolean      NOT NULL DEFAULT false,
  commit_ts  timestamp(6) NULL,
  applied_at timestamp(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (entity, key_json),
  KEY tandem_applied_positions_deleted (deleted, applied_at)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- Write fences per cohort on this side; a fence's update is also its marker in the binlog.
CREATE TABLE tandem_write_fence (
  entity         varchar(100) NOT NULL,
  cohort         varchar(200) NOT NULL,
  writable       boolean      NOT NULL,
  switch_id      varchar(200),
  routing_offset bigint       NOT NULL DEFAULT -1,
  updated_at     timestamp(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (entity, cohort)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- Every transaction a Tandem sink commits here updates its writer's row first; capture drops whole
-- transactions that carry it (by GTID), so what Tandem applied is never sent back (no echo).
CREATE TABLE tandem_origin (
  writer       varchar(200) NOT NULL PRIMARY KEY,
  transactions bigint       NOT NULL DEFAULT 0,
  updated_at   timestamp(6) NOT NULL DEFAULT current_timestamp(6)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
