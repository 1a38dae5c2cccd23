-- R-CUST-62 (issue #3 item 1, domain.md §2: "relationship status … with history"): one row
-- per change of a customer's relationship status (prospect → target → active; peer; lost),
-- by an edit. A customer's first status is the first row's from_status, or its status when
-- no row exists: creation and import write none (an import of 100,000 customers would
-- write 100,000 rows that say nothing a customer's own row does not).
CREATE TABLE customer_status_history (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  changed_by BIGINT REFERENCES users(id),
  at TEXT NOT NULL
);
CREATE INDEX customer_status_history_customer ON customer_status_history (customer_id, id);
