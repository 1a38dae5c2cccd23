-- Removes what the benchmark's import added (customers named …导入… held by the importer
-- b20r10, with their contacts, tags, history and timeline), so every run measures the
-- same 1,000,000 customers: 100,000 freshly imported customers on top of the list order
-- would otherwise make the next run's first pages walk past them. Their audit entries go
-- too: the ids of an import are taken again by the next run's, and as text ('1000301') the
-- entries of all runs sorted together in the audit's entity index, so each run inserted
-- into a larger range of it (2.4M leftover entries made the import's audit writes 0.5 s →
-- 2.1 s; docs/benchmarks.md, "Import, session 16"). The audit log is append-only: run
-- through undo_import.sh, which lifts the trigger for this script alone.
CREATE TEMP TABLE undo_import AS
  SELECT id FROM customers WHERE owner_id = (SELECT id FROM users WHERE username = 'b20r10') AND name LIKE '%导入%';
-- Statistics of the temporary table (and on PostgreSQL of the audit log, undo_import.sh):
-- without them, the contacts' audit DELETE below ran for over 17 minutes on a fresh
-- PostgreSQL copy, and for minutes again with only the temporary table analysed (session
-- 20; once analysed as well, the audit log is joined by hash). On SQLite they go
-- to the temporary schema's own sqlite_stat1, and the archive's statistics stay as they were.
ANALYZE undo_import;
DELETE FROM customer_tags WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_grade_history WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_owner_history WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customer_events WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM audit_log WHERE entity = 'customer' AND entity_id IN (SELECT CAST(id AS TEXT) FROM undo_import);
DELETE FROM audit_log WHERE entity = 'contact' AND entity_id IN
  (SELECT CAST(id AS TEXT) FROM contacts WHERE customer_id IN (SELECT id FROM undo_import));
DELETE FROM audit_log WHERE entity = 'customer' AND action = 'customers.import';
DELETE FROM contacts WHERE customer_id IN (SELECT id FROM undo_import);
DELETE FROM customers WHERE id IN (SELECT id FROM undo_import);
