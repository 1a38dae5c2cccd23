-- R-CUST-58: see 0029_contact_other_names.sql and the SQLite file; the same predicate as a
-- regular expression, repeated exactly by the query so that PostgreSQL takes the index.
CREATE INDEX contacts_other_names ON contacts (customer_id) WHERE name ~ '[^一-鿿]';
