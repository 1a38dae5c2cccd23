-- R-CUST-39 on PostgreSQL: the search words as a GIN index of whole lexemes, taken
-- verbatim (array_to_tsvector does no parsing or stemming); a term is looked up as one
-- lexeme or a prefix ('zeyue':*). The customer's index also holds its owner as `#<id>`
-- (`#0` for the pool; a search term never starts with `#`), so a search in a team's scope
-- intersects its words with the team's owners inside the index, before any row is read.
-- The pinyin, initials and phone trigram indexes are replaced by it: their trigrams are
-- few and common, so a term read long posting lists.
DROP INDEX customers_pinyin_trgm;
DROP INDEX customers_initials_trgm;
DROP INDEX customers_phone_trgm;
DROP INDEX contacts_pinyin_trgm;
CREATE INDEX customers_words ON customers USING gin (
  array_to_tsvector(array_prepend('#' || COALESCE(owner_id, 0), string_to_array(search_words, ' '))));
CREATE INDEX contacts_words ON contacts USING gin (array_to_tsvector(string_to_array(search_words, ' ')));
