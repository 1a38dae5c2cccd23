-- The list order with the scope's columns (owner_id, merged_into_id are indexed already,
-- so updates stay HOT as before: ADR 0016). Built before the old one is dropped; the
-- migration's transaction makes the swap atomic.
CREATE INDEX customers_updated_scope ON customers (updated_at, id) INCLUDE (owner_id, merged_into_id);
DROP INDEX customers_updated;
ALTER INDEX customers_updated_scope RENAME TO customers_updated;
