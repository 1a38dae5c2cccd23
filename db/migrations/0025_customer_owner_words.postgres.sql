-- R-CUST-52 (issue #3, search at 1M customers): the customers' search words, each prefixed
-- with the customer's owner ("14@科技", "0@" for the pool). A search in a scope of known
-- owners looks up one short posting list per owner ('14@科技' | '15@科技' | …) instead of
-- intersecting the word's postings in the whole archive with the owners' (customers_words,
-- migration 0013: 15 ms for 科技 in a manager's scope at 1M customers, 1.3 ms here). Owners
-- are never empty words, so no array element is empty. customers_words stays: searches of
-- scopes with no owner list (all customers, or more than 64 owners) read it.
CREATE INDEX customers_owner_words ON customers USING gin (
  array_to_tsvector(string_to_array(COALESCE(owner_id, 0) || '@' ||
                                    replace(search_words, ' ', ' ' || COALESCE(owner_id, 0) || '@'), ' ')));
-- The planner estimates a search's matches from the statistics of this expression, which
-- only ANALYZE gathers: without them it takes a dozen owners' words for 40,000 rows and
-- reads the whole table instead (850 ms for `guangzhou` at 1M customers; session 19).
ANALYZE customers;
