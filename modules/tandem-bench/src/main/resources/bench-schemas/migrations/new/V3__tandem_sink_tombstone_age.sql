-- When each key's tombstone was last raised. The sink prunes tombstones older than its retention
-- (sink.tombstoneRetentionHours, default 7 days): by then no record older than the delete can still be
-- delivered (keep the retention above the raw and migrated topics' retention and delete.retention.ms).
ALTER TABLE tandem_sink_tombstones ADD COLUMN raised_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX tandem_sink_tombstones_raised_at ON tandem_sink_tombstones (raised_at);
