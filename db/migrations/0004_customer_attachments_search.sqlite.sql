-- R-CUST-31 at scale: an FTS5 trigram index answers substring searches without scanning
-- the customers (docs/benchmarks.md). rowid = customers.id; `keys` holds the pinyin, the
-- initials and the phone key separated by spaces (a folded search term never contains a
-- space, so no match spans two keys); `contacts` the names of the customer's contacts and
-- `contact_keys` their pinyin. Triggers keep it in step with every write path (create,
-- update, import, contacts, merges moving contacts).
CREATE VIRTUAL TABLE customer_search USING fts5(name, keys, contacts, contact_keys, tokenize = 'trigram');

CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
  INSERT INTO customer_search (rowid, name, keys, contacts, contact_keys)
  VALUES (new.id, new.name,
          new.search_pinyin || ' ' || new.search_initials || ' ' || COALESCE(new.phone_key, ''), '', '');
END;
CREATE TRIGGER customer_search_update AFTER UPDATE OF name, search_pinyin, search_initials, phone_key ON customers
BEGIN
  UPDATE customer_search SET name = new.name,
    keys = new.search_pinyin || ' ' || new.search_initials || ' ' || COALESCE(new.phone_key, '')
  WHERE rowid = new.id;
END;
CREATE TRIGGER customer_search_contact_insert AFTER INSERT ON contacts BEGIN
  UPDATE customer_search SET
    contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.customer_id),
    contact_keys = (SELECT COALESCE(group_concat(search_pinyin, ' '), '') FROM contacts
                    WHERE customer_id = new.customer_id)
  WHERE rowid = new.customer_id;
END;
CREATE TRIGGER customer_search_contact_update AFTER UPDATE OF name, customer_id, search_pinyin ON contacts BEGIN
  UPDATE customer_search SET
    contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = old.customer_id),
    contact_keys = (SELECT COALESCE(group_concat(search_pinyin, ' '), '') FROM contacts
                    WHERE customer_id = old.customer_id)
  WHERE rowid = old.customer_id;
  UPDATE customer_search SET
    contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.customer_id),
    contact_keys = (SELECT COALESCE(group_concat(search_pinyin, ' '), '') FROM contacts
                    WHERE customer_id = new.customer_id)
  WHERE rowid = new.customer_id;
END;
CREATE TRIGGER customer_search_contact_delete AFTER DELETE ON contacts BEGIN
  UPDATE customer_search SET
    contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = old.customer_id),
    contact_keys = (SELECT COALESCE(group_concat(search_pinyin, ' '), '') FROM contacts
                    WHERE customer_id = old.customer_id)
  WHERE rowid = old.customer_id;
END;

-- Customers of before this migration (contacts' pinyin is filled as they are next saved).
INSERT INTO customer_search (rowid, name, keys, contacts, contact_keys)
SELECT c.id, c.name, c.search_pinyin || ' ' || c.search_initials || ' ' || COALESCE(c.phone_key, ''),
       COALESCE((SELECT group_concat(k.name, ' ') FROM contacts k WHERE k.customer_id = c.id), ''), ''
FROM customers c;
