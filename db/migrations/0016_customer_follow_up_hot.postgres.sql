-- No index of customers may include last_follow_up_at (a HOT update needs every indexed
-- column unchanged; CustomerServiceTest.FollowUpUpdatesAreHotOnPostgres checks it). The
-- reclaim job (every 5 minutes, one process by lease) reads the table instead.
DROP INDEX IF EXISTS customers_follow_up;
-- Room for a new row version on the same page (a customer row is ~0.8 kB of an 8 kB page),
-- for pages written from now on; earlier pages gain it as rows move.
ALTER TABLE customers SET (fillfactor = 85);
