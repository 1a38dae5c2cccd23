-- Removes what the benchmark's import added (customers named …导入… held by the importer
-- b20r10, with their contacts, tags, history and timeline), so every run measures the
-- same 1,000,000 customers: 100,000 freshly imported customers on top of the list order
-- would otherwise make the next run's first pages walk past them. Audit entries stay.
CREATE TEMP TABLE undo_import AS
  SELECT id FROM customers WHERE owner_id = (SELECT id FROM users WHERE username = 'b20r10') AND name LIKE '%导入%';
DELETE FROM customer_tags WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_grade_history WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_owner_history WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_events WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM contacts WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customers WHERE id IN (SELECT id FROM undo_import);
