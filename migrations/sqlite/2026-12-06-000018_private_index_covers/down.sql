DROP INDEX communities_private_idx;
CREATE INDEX communities_private_idx ON communities (id, archived_at) WHERE visibility = 'private';
