DROP TABLE password_resets;
DROP TABLE outbox_notifications;
DROP TABLE outbox;
ALTER TABLE notifications DROP COLUMN mailed_at;
DROP TABLE mail_preferences;
