-- R-CUST-56 (issue #3, search at 1M customers): PostgreSQL walks the scope's owners' orders
-- for a common term. See the PostgreSQL file; SQLite reads the pool in update order through
-- customers_owner already (it takes `owner_id IS NULL` for an equality).
SELECT 1;
