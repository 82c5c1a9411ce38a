-- Settings admins change at runtime (site name, open email domains, board size, sign-in
-- limits, auto-hide threshold, digest hour). A row overrides the file and environment
-- setting of the same name; the value is JSON.
CREATE TABLE site_settings (
    name       TEXT      PRIMARY KEY,
    value      TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT    REFERENCES users (id) ON DELETE SET NULL
);
