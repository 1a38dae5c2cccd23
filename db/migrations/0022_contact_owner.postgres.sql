-- R-CUST-49 (issue #3, search at 1M customers / 3M contacts): the contacts' words index
-- holds the owner of each contact's customer as `#<id>` (`#0`: the pool), as the
-- customers' index does (R-CUST-39), so a search in a team's scope narrows its contacts to
-- the team's owners inside the index. Before, every contact with the term was read from
-- the table, then its customer, to test the scope: 张涛 in manager b01m's scope read 3,936
-- pages (~760 contacts and their customers) and took 160-220 ms with the file cache cold;
-- narrowed, 600 pages and 32-37 ms (docs/benchmarks.md, "Contact names on PostgreSQL,
-- session 17"). contacts.owner_id is a copy of customers.owner_id, kept by triggers: a
-- contact inserted without one (a single add, a copy) takes its customer's, a contact
-- moved to another customer (a merge) takes the new one's, and a customer changing hands
-- (assign, claim, release, the reclaim job) gives its contacts the new owner. The bulk
-- import writes it itself (its contacts' customers are all the importer's).
ALTER TABLE contacts ADD COLUMN owner_id BIGINT;
UPDATE contacts k SET owner_id = c.owner_id FROM customers c WHERE c.id = k.customer_id AND c.owner_id IS NOT NULL;

CREATE FUNCTION contacts_take_customer_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner_id := (SELECT owner_id FROM customers WHERE id = NEW.customer_id);
  RETURN NEW;
END $$;
CREATE TRIGGER contacts_owner_on_insert BEFORE INSERT ON contacts
  FOR EACH ROW WHEN (NEW.owner_id IS NULL) EXECUTE FUNCTION contacts_take_customer_owner();
CREATE TRIGGER contacts_owner_on_move BEFORE UPDATE OF customer_id ON contacts
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION contacts_take_customer_owner();

CREATE FUNCTION customers_give_contacts_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE contacts SET owner_id = NEW.owner_id WHERE customer_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER customers_owner_to_contacts AFTER UPDATE OF owner_id ON customers
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION customers_give_contacts_owner();

DROP INDEX contacts_words;
CREATE INDEX contacts_words ON contacts USING gin (
  array_to_tsvector(array_prepend('#' || COALESCE(owner_id, 0), string_to_array(search_words, ' '))));
