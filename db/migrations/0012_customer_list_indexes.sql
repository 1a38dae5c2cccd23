-- Issue #3 at 1,000,000 customers (docs/benchmarks.md).
-- The owner index also carries merged_into_id: an export reads a team's scope through it
-- (R-CUST-22) and tells merged customers apart without reading each row.
DROP INDEX customers_owner;
CREATE INDEX customers_owner ON customers (owner_id, updated_at, id, merged_into_id);
-- A city filter walks the city's live customers in list order and checks the scope from
-- the index (R-CUST-11); before, it walked the whole table in list order.
CREATE INDEX customers_city ON customers (city, updated_at, id, owner_id) WHERE merged_into_id IS NULL;
