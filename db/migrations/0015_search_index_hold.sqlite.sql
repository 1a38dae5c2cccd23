-- R-CUST-38 on SQLite: a bulk write holds the search-index triggers for the rows it writes
-- and fills the three FTS5 indexes itself, one statement per index and chunk. Row by row,
-- the trigram row of a customer was written with its name and then rewritten for each of
-- its contacts (an FTS5 UPDATE tokenises the old text to forget it): with the FTS5 inserts
-- of the words, 44% of a 100,000-row import's time (docs/benchmarks.md, session 7).
-- `held` is set and cleared inside the bulk writer's own transaction (customer_service.cc,
-- CreateManyIn): no other connection ever sees it set, and a failed import rolls it back
-- with everything else. Only the insert triggers read it; updates and deletes are never
-- bulk.
CREATE TABLE search_index_hold (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1))
);
INSERT INTO search_index_hold (id, held) VALUES (1, 0);

DROP TRIGGER customer_search_insert;
CREATE TRIGGER customer_search_insert AFTER INSERT ON customers
WHEN (SELECT held FROM search_index_hold WHERE id = 1) = 0 BEGIN
  INSERT INTO customer_search (rowid, name, contacts) VALUES (new.id, new.name, '');
END;
DROP TRIGGER customer_search_contact_insert;
CREATE TRIGGER customer_search_contact_insert AFTER INSERT ON contacts
WHEN (SELECT held FROM search_index_hold WHERE id = 1) = 0 BEGIN
  UPDATE customer_search
  SET contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.customer_id)
  WHERE rowid = new.customer_id;
END;
DROP TRIGGER customer_words_insert;
CREATE TRIGGER customer_words_insert AFTER INSERT ON customers
WHEN new.search_words IS NOT NULL AND (SELECT held FROM search_index_hold WHERE id = 1) = 0 BEGIN
  INSERT INTO customer_words (rowid, words, owner) VALUES (new.id, new.search_words, 'o' || COALESCE(new.owner_id, 0));
END;
DROP TRIGGER contact_words_insert;
CREATE TRIGGER contact_words_insert AFTER INSERT ON contacts
WHEN new.search_words IS NOT NULL AND (SELECT held FROM search_index_hold WHERE id = 1) = 0 BEGIN
  INSERT INTO contact_words (rowid, words, owner)
  VALUES (new.id, new.search_words,
          'o' || COALESCE((SELECT owner_id FROM customers WHERE id = new.customer_id), 0));
END;
