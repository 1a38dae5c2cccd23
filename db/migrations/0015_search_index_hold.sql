-- R-CUST-38: bulk writes (imports) fill SQLite's search indexes themselves, once per chunk
-- (0015_search_index_hold.sqlite.sql). PostgreSQL's search indexes are plain indexes over
-- the rows' own columns, written by the rows' INSERT: nothing to change there.
SELECT 1;
