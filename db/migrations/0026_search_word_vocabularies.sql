-- R-CUST-54 (issue #3, search at 1M customers): SQLite counts a prefix term's matches from
-- its words index's vocabulary. See the SQLite file; nothing portable changes.
SELECT 1;
