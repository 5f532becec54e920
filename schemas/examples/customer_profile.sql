-- The new database's table for schemas/examples/customer_profile.yaml (a Flyway migration for it).
CREATE TABLE customer_profile (
  id                bigint PRIMARY KEY,
  name              text   NOT NULL,
  address_count     bigint NOT NULL,
  first_city        text,
  cities            text   NOT NULL,
  _tandem_position  bigint NOT NULL,
  _tandem_commit_ts timestamptz
);
