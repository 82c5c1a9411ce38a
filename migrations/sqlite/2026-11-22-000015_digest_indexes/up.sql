-- The digest job asks every minute who has notifications neither read nor mailed, leaving
-- out who had a digest today: both without reading the whole table.
CREATE INDEX notifications_unmailed ON notifications (created_at) WHERE read_at IS NULL AND mailed_at IS NULL;
CREATE INDEX outbox_by_kind ON outbox (kind, created_at);
