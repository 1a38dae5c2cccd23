-- R-CUST-39 on SQLite: the search words in two FTS5 indexes of whole tokens (unicode61
-- splits at the spaces; an ideograph pair stays one token), without positions or stored
-- text (detail=column, contentless): a term is one token or one prefix, never a phrase.
-- rowid = customers.id / contacts.id. The `owner` column holds `o<owner id>` (`o0` for the
-- pool; a contact's: its customer's owner), so a search in a team's scope intersects its
-- words with the team's owners inside the index, before any customer row is read.
-- A contentless index forgets a row only when told its old words and owner exactly, which
-- the triggers pass (and which an owner change re-tells for the customer's contacts).
CREATE VIRTUAL TABLE customer_words USING fts5(words, owner, content = '', detail = column, columnsize = 0);
CREATE VIRTUAL TABLE contact_words USING fts5(words, owner, content = '', detail = column, columnsize = 0);

CREATE TRIGGER customer_words_insert AFTER INSERT ON customers WHEN new.search_words IS NOT NULL BEGIN
  INSERT INTO customer_words (rowid, words, owner) VALUES (new.id, new.search_words, 'o' || COALESCE(new.owner_id, 0));
END;
CREATE TRIGGER customer_words_update AFTER UPDATE OF search_words, owner_id ON customers BEGIN
  INSERT INTO customer_words (customer_words, rowid, words, owner)
  SELECT 'delete', old.id, old.search_words, 'o' || COALESCE(old.owner_id, 0) WHERE old.search_words IS NOT NULL;
  INSERT INTO customer_words (rowid, words, owner)
  SELECT new.id, new.search_words, 'o' || COALESCE(new.owner_id, 0) WHERE new.search_words IS NOT NULL;
END;
CREATE TRIGGER customer_words_delete AFTER DELETE ON customers WHEN old.search_words IS NOT NULL BEGIN
  INSERT INTO customer_words (customer_words, rowid, words, owner)
  VALUES ('delete', old.id, old.search_words, 'o' || COALESCE(old.owner_id, 0));
END;
CREATE TRIGGER contact_words_owner AFTER UPDATE OF owner_id ON customers WHEN old.owner_id IS NOT new.owner_id BEGIN
  INSERT INTO contact_words (contact_words, rowid, words, owner)
  SELECT 'delete', k.id, k.search_words, 'o' || COALESCE(old.owner_id, 0) FROM contacts k
  WHERE k.customer_id = new.id AND k.search_words IS NOT NULL;
  INSERT INTO contact_words (rowid, words, owner)
  SELECT k.id, k.search_words, 'o' || COALESCE(new.owner_id, 0) FROM contacts k
  WHERE k.customer_id = new.id AND k.search_words IS NOT NULL;
END;
CREATE TRIGGER contact_words_insert AFTER INSERT ON contacts WHEN new.search_words IS NOT NULL BEGIN
  INSERT INTO contact_words (rowid, words, owner)
  VALUES (new.id, new.search_words,
          'o' || COALESCE((SELECT owner_id FROM customers WHERE id = new.customer_id), 0));
END;
CREATE TRIGGER contact_words_update AFTER UPDATE OF search_words, customer_id ON contacts BEGIN
  INSERT INTO contact_words (contact_words, rowid, words, owner)
  SELECT 'delete', old.id, old.search_words,
         'o' || COALESCE((SELECT owner_id FROM customers WHERE id = old.customer_id), 0)
  WHERE old.search_words IS NOT NULL;
  INSERT INTO contact_words (rowid, words, owner)
  SELECT new.id, new.search_words, 'o' || COALESCE((SELECT owner_id FROM customers WHERE id = new.customer_id), 0)
  WHERE new.search_words IS NOT NULL;
END;
CREATE TRIGGER contact_words_delete AFTER DELETE ON contacts WHEN old.search_words IS NOT NULL BEGIN
  INSERT INTO contact_words (contact_words, rowid, words, owner)
  VALUES ('delete', old.id, old.search_words,
          'o' || COALESCE((SELECT owner_id FROM customers WHERE id = old.customer_id), 0));
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
