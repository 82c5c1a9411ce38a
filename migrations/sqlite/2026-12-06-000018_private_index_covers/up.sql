-- The private communities' index also holds the visibility its condition names: SQLite
-- (3.40, as Debian 12 ships it) reads an index alone only when it holds every column the
-- query names, the condition's too, so it read the table row of each private community on
-- every search and idea page.
DROP INDEX communities_private_idx;
CREATE INDEX communities_private_idx ON communities (id, archived_at, visibility) WHERE visibility = 'private';
