DROP TABLE log_cursors;
DROP TABLE notifications;
