DROP INDEX outbox_by_kind;
DROP INDEX notifications_unmailed;
