-- Test-only entity tables, in their own schema so they never meet the forward-sync tables.
create schema sink_it;

create table sink_it.customer (
  id                bigint primary key,
  name              text not null constraint customer_name_not_blank check (name <> ''),
  email             varchar(40),
  tier              text not null,
  balance           numeric(12, 2),
  active            boolean not null,
  created_at        timestamptz,
  birthday          date,
  _tandem_position  bigint not null,
  _tandem_commit_ts timestamptz
);

-- Every row change the sink really makes, so tests can prove nothing was written twice.
create table sink_it.customer_audit (
  seq      bigserial primary key,
  op       text not null,
  id       bigint not null,
  position bigint not null
);

create function sink_it.audit_customer() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    insert into sink_it.customer_audit (op, id, position) values (tg_op, old.id, old._tandem_position);
  else
    insert into sink_it.customer_audit (op, id, position) values (tg_op, new.id, new._tandem_position);
  end if;
  return null;
end $$;

create trigger customer_audit after insert or update or delete on sink_it.customer
  for each row execute function sink_it.audit_customer();

-- One column per Avro shape the sink converts.
create table sink_it.all_types (
  id                bigint primary key,
  i                 integer,
  f                 real,
  d                 double precision,
  s                 varchar(20),
  e                 text,
  b                 bytea,
  fx                bytea,
  dec_bytes         numeric(20, 4),
  dec_fixed         numeric(20, 4),
  dt                date,
  tm                time,
  tm_micros         time,
  ts_millis         timestamptz,
  ts_micros         timestamptz,
  lts_millis        timestamp,
  lts_micros        timestamp,
  u                 uuid,
  j                 jsonb,
  "camelCase"       text,
  lowerme           text,
  _tandem_position  bigint not null,
  _tandem_commit_ts timestamptz
);

-- A composite key.
create table sink_it.order_line (
  order_id          bigint,
  line_no           integer,
  sku               text not null,
  qty               integer not null check (qty > 0),
  _tandem_position  bigint not null,
  _tandem_commit_ts timestamptz,
  primary key (order_id, line_no)
);

-- The customer table without the audit trigger, for the batching benchmark.
create table sink_it.customer_plain (like sink_it.customer including all);
