DROP TABLE docket_entries;
DROP TABLE dockets;
