-- R-CUST-39 on SQLite: the search words in two FTS5 indexes of whole tokens (unicode61
-- splits at the spaces; an ideograph pair stays one token), without positions or stored
-- text (detail=none, contentless): a term is one token or one prefix, never a phrase.
-- rowid = customers.id / contacts.id. A contentless index forgets a row only when told
-- its old words, which the triggers pass.
CREATE VIRTUAL TABLE customer_words USING fts5(words, content = '', detail = none, columnsize = 0);
CREATE VIRTUAL TABLE contact_words USING fts5(words, content = '', detail = none, columnsize = 0);

CREATE TRIGGER customer_words_insert AFTER INSERT ON customers WHEN new.search_words IS NOT NULL BEGIN
  INSERT INTO customer_words (rowid, words) VALUES (new.id, new.search_words);
END;
CREATE TRIGGER customer_words_update AFTER UPDATE OF search_words ON customers BEGIN
  INSERT INTO customer_words (customer_words, rowid, words)
  SELECT 'delete', old.id, old.search_words WHERE old.search_words IS NOT NULL;
  INSERT INTO customer_words (rowid, words) SELECT new.id, new.search_words WHERE new.search_words IS NOT NULL;
END;
CREATE TRIGGER customer_words_delete AFTER DELETE ON customers WHEN old.search_words IS NOT NULL BEGIN
  INSERT INTO customer_words (customer_words, rowid, words) VALUES ('delete', old.id, old.search_words);
END;
CREATE TRIGGER contact_words_insert AFTER INSERT ON contacts WHEN new.search_words IS NOT NULL BEGIN
  INSERT INTO contact_words (rowid, words) VALUES (new.id, new.search_words);
END;
CREATE TRIGGER contact_words_update AFTER UPDATE OF search_words ON contacts BEGIN
  INSERT INTO contact_words (contact_words, rowid, words)
  SELECT 'delete', old.id, old.search_words WHERE old.search_words IS NOT NULL;
  INSERT INTO contact_words (rowid, words) SELECT new.id, new.search_words WHERE new.search_words IS NOT NULL;
END;
CREATE TRIGGER contact_words_delete AFTER DELETE ON contacts WHEN old.search_words IS NOT NULL BEGIN
  INSERT INTO contact_words (contact_words, rowid, words) VALUES ('delete', old.id, old.search_words);
END;

-- The trigram index keeps what only it can answer: names and contact names searched by
-- three or more characters (R-CUST-31). The pinyin, initials and phone keys it held are
-- search words now; rebuilding it without them halves what every write adds to it.
DROP TRIGGER customer_search_insert;
DROP TRIGGER customer_search_update;
DROP TRIGGER customer_search_contact_insert;
DROP TRIGGER customer_search_contact_update;
DROP TRIGGER customer_search_contact_delete;
DROP TABLE customer_search;
CREATE VIRTUAL TABLE customer_search USING fts5(name, contacts, tokenize = 'trigram');

CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
  INSERT INTO customer_search (rowid, name, contacts) VALUES (new.id, new.name, '');
END;
CREATE TRIGGER customer_search_update AFTER UPDATE OF name ON customers BEGIN
  UPDATE customer_search SET name = new.name WHERE rowid = new.id;
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN
  DELETE FROM customer_search WHERE rowid = old.id;
END;
CREATE TRIGGER customer_search_contact_insert AFTER INSERT ON contacts BEGIN
  UPDATE customer_search
  SET contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.customer_id)
  WHERE rowid = new.customer_id;
END;
CREATE TRIGGER customer_search_contact_update AFTER UPDATE OF name, customer_id ON contacts BEGIN
  UPDATE customer_search
  SET contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = old.customer_id)
  WHERE rowid = old.customer_id;
  UPDATE customer_search
  SET contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = new.customer_id)
  WHERE rowid = new.customer_id;
END;
CREATE TRIGGER customer_search_contact_delete AFTER DELETE ON contacts BEGIN
  UPDATE customer_search
  SET contacts = (SELECT COALESCE(group_concat(name, ' '), '') FROM contacts WHERE customer_id = old.customer_id)
  WHERE rowid = old.customer_id;
END;

INSERT INTO customer_search (rowid, name, contacts)
SELECT c.id, c.name, COALESCE((SELECT group_concat(k.name, ' ') FROM contacts k WHERE k.customer_id = c.id), '')
FROM customers c;
