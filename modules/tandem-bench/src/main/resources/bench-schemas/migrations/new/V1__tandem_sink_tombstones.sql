-- Keys the sink has deleted, with the position of the newest delete seen for each.
-- A replayed older change (position <= the tombstone's) must not bring the row back.
-- key_json is the key record as canonical JSON, fields in key order, e.g. {"id":42}.
create table tandem_sink_tombstones (
  entity   text   not null,
  key_json text   not null,
  position bigint not null,
  primary key (entity, key_json)
);
