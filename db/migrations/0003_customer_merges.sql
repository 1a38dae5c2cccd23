-- Customer merges and saved list views (issue #3 items 3 and 5; docs/api-customers.md,
-- src/modules/customers/README.md R-CUST-16..21). Portable SQL for SQLite and PostgreSQL.

-- R-CUST-16: a merged customer points at its survivor; it keeps its row and status but
-- leaves lists, duplicate checks, the pool job and hold counts.
ALTER TABLE customers ADD COLUMN merged_into_id BIGINT REFERENCES customers(id);
CREATE INDEX customers_merged_into ON customers (merged_into_id);

-- R-CUST-17, 18: one row per merge and per reversal, never updated except to link a merge
-- to its reversal. moved_json names exactly the rows that moved, per table, so a reversal
-- moves those rows and no others back.
CREATE TABLE customer_merges (
  id {{id_pk}},
  kind TEXT NOT NULL CHECK (kind IN ('merge', 'reversal')),
  survivor_id BIGINT NOT NULL REFERENCES customers(id),
  merged_id BIGINT NOT NULL REFERENCES customers(id),
  reverses_id BIGINT REFERENCES customer_merges(id),
  reversed_by_id BIGINT REFERENCES customer_merges(id),
  reason TEXT NOT NULL,
  moved_json TEXT NOT NULL,
  actor_id BIGINT REFERENCES users(id),
  actor_name TEXT,
  at TEXT NOT NULL
);
CREATE INDEX customer_merges_survivor ON customer_merges (survivor_id, id);
CREATE INDEX customer_merges_merged ON customer_merges (merged_id, id);

-- R-CUST-20, 21: saved list views; filters_json holds the list query parameters as text.
CREATE TABLE customer_views (
  id {{id_pk}},
  owner_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  filters_json TEXT NOT NULL,
  sort TEXT NOT NULL,
  shared INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customer_views_owner_name ON customer_views (owner_id, name);
CREATE INDEX customer_views_shared ON customer_views (shared, owner_id);
