-- R-CUST-39: search words (customer_rules.h CustomerSearchWords, ContactSearchWords),
-- written by the service with the row. Rows of before this migration (and rows written
-- by tools that do not compute them) are NULL until FillSearchWords computes them; the
-- partial indexes find those without reading the tables.
ALTER TABLE customers ADD COLUMN search_words TEXT;
ALTER TABLE contacts ADD COLUMN search_words TEXT;
CREATE INDEX customers_words_pending ON customers (id) WHERE search_words IS NULL;
CREATE INDEX contacts_words_pending ON contacts (id) WHERE search_words IS NULL;
