-- R-CUST-27: attachment bytes stored in the database (attachment store 'database').
ALTER TABLE customer_attachments ADD COLUMN content BYTEA;

-- R-CUST-31 at scale: trigram GIN indexes answer substring searches of three or more
-- characters (docs/benchmarks.md). pg_trgm ships with PostgreSQL (Debian:
-- postgresql-contrib, part of the server package) and is a trusted extension: the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops);
CREATE INDEX customers_pinyin_trgm ON customers USING gin (search_pinyin gin_trgm_ops);
CREATE INDEX customers_initials_trgm ON customers USING gin (search_initials gin_trgm_ops);
CREATE INDEX customers_phone_trgm ON customers USING gin (phone_key gin_trgm_ops);
CREATE INDEX contacts_name_trgm ON contacts USING gin (name gin_trgm_ops);
CREATE INDEX contacts_pinyin_trgm ON contacts USING gin (search_pinyin gin_trgm_ops);
