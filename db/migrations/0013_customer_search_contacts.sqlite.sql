-- R-CUST-31, R-CUST-38: a new customer's search row takes the names of contacts already
-- written for it. A bulk import writes a chunk's contacts first (foreign keys deferred to
-- the commit), so each customer's search row is written once, complete, instead of being
-- rewritten by the contact trigger once per contact (docs/benchmarks.md).
DROP TRIGGER customer_search_insert;
CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
  INSERT INTO customer_search (rowid, name, keys, contacts, contact_keys)
  VALUES (new.id, new.name,
          new.search_pinyin || ' ' || new.search_initials || ' ' || COALESCE(new.phone_key, ''),
          (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.id),
          (SELECT COALESCE(group_concat(search_pinyin, ' '), '') FROM contacts WHERE customer_id = new.id));
END;
