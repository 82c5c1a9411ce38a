DROP TABLE idea_decisions;
DROP TABLE idea_reviews;
DROP TABLE docket_entries;
DROP TABLE dockets;
