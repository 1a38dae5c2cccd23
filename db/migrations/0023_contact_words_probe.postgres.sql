-- R-CUST-50 (issue #3, search at 1M customers / 3M contacts): whether a search term (a
-- tsquery of search words and the scope's owners, as the list builds it) is in any
-- contact's words. When it is in none, as a company word (科技) is in no person's name, the
-- list reads the customers' matches alone: each of a common word's ~5,000 matches in a
-- manager's scope is read once instead of twice (docs/benchmarks.md, "Common words on
-- PostgreSQL, session 18").
--
-- The probe must read the words index only. As a plain `EXISTS`, the planner reads the
-- table in order instead whenever it expects many matches (the first one should come after
-- a few rows); when the scope has none, that read goes through the whole table: 2.5-2.7 s
-- at 3M contacts. The function's own settings leave it bitmap scans only, which take the
-- matches from the GIN index.
CREATE FUNCTION contact_words_match(term tsquery) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off SET enable_indexscan = off SET enable_indexonlyscan = off
AS $$
  SELECT EXISTS (SELECT 1 FROM contacts k WHERE array_to_tsvector(array_prepend('#' || COALESCE(k.owner_id, 0),
                   string_to_array(k.search_words, ' '))) @@ term)
$$;
