-- R-CUST-58: see 0029_contact_other_names.sql. A name made of the ideographs U+4E00–U+9FFF
-- alone (nearly every Chinese name) cannot match a term holding a Latin letter or digit,
-- whatever the case: such a term's walk probes this index, which holds the other names
-- only, instead of reading each walked customer's contacts (customer_search.cc,
-- ContactExists). The query repeats the predicate exactly, so that SQLite takes the index.
CREATE INDEX contacts_other_names ON contacts (customer_id) WHERE name GLOB '*[^一-鿿]*';
