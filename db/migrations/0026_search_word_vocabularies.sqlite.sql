-- R-CUST-54: the vocabularies of the two words indexes (migration 0013), read-only views of
-- them that FTS5 keeps itself: one row per distinct word with the number of rows holding it.
-- A prefix term (`chongqing`) is counted as the sum over its words' range here, instead of
-- by a MATCH, which merges the rows of every word of the range (12,921 words, 41,358 rows
-- at 1M customers) into one sorted list before its first row: 8 ms, against 4 ms here.
-- The count only chooses a search's plan (customer_search.cc). No data is stored.
CREATE VIRTUAL TABLE customer_words_vocabulary USING fts5vocab(customer_words, row);
CREATE VIRTUAL TABLE contact_words_vocabulary USING fts5vocab(contact_words, row);
