-- R-CUST-55 (issue #3, lists at 1M customers): the index of merged customers holds merged
-- customers only. Every list asks for `merged_into_id IS NULL` (R-CUST-16), and SQLite's
-- planner, without statistics (a database nobody ran ANALYZE on, which is every database
-- the server makes), took that for an equality the full index served: it read every
-- unmerged customer through it and sorted them, instead of walking the list's order.
-- A manager's first page took 620-690 ms at 1M customers instead of 1-2 ms
-- (docs/benchmarks.md, "Lists without statistics, session 20"). Partial, the index cannot
-- answer `IS NULL`; a lookup by `merged_into_id = ?` (the foreign key's checks) still uses it.
DROP INDEX customers_merged_into;
CREATE INDEX customers_merged_into ON customers (merged_into_id) WHERE merged_into_id IS NOT NULL;
