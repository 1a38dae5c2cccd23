-- Version 13 changes SQLite's search index only (0013_customer_search_contacts.sqlite.sql);
-- PostgreSQL searches contacts through their own trigram indexes. Nothing portable to do.
SELECT 1;
