-- R-CUST-56 (issue #3, search at 1M customers): the pool's customers in the list's order.
-- A page of a common term (a city's pinyin: ~4,000 matches in a manager's scope) merges the
-- scope's owners' orders, one ordered scan per owner (customers_owner), and stops at the
-- page. PostgreSQL orders a scan of customers_owner by update time only under an equality on
-- the owner, and `owner_id IS NULL` is none: the pool's part walked every customer's order
-- (customers_updated) instead: 29 ms for a page at 1M customers, against 2.6 ms with this index
-- (docs/benchmarks.md, "Walking the owners' orders on PostgreSQL, session 21").
CREATE INDEX customers_pool_order ON customers (updated_at, id) WHERE owner_id IS NULL AND merged_into_id IS NULL;
-- The walk is chosen by ANALYZE's statistics of the search words (customer_search.h,
-- WordStatistics): a sample of 1,001 values instead of 101 tells a term held by 2.5 % of
-- the customers from one held by 4 % (with 101, `shanghaih`, 0.5 %, was estimated at 2 %;
-- with 301, a 4 % term fell under 3 % after one ANALYZE in five, and 2.5 % terms walked).
-- ANALYZE of the customers then samples 300,000 rows instead of 30,000: 18.3 against 1.6 s at
-- 1M customers, in autovacuum's background.
ALTER TABLE customers ALTER COLUMN search_words SET STATISTICS 1000;
-- Analysed here, so that the next searches are planned with the new sample rather than
-- when autovacuum next analyses the table.
ANALYZE customers;
