DROP TABLE audit_log;
DROP TABLE activities;
DROP TABLE login_attempts;
DROP TABLE invitations;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
