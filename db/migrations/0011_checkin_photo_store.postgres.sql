-- The database blob store (--attachments database, the default on PostgreSQL): one row per
-- distinct content, by its sha256; customer attachments and check-in photos refer to it
-- by hash (storage 'database'). Customer attachments uploaded before kept their bytes in
-- customer_attachments.content, which is still read when set.
CREATE TABLE stored_blobs (
  sha256 TEXT PRIMARY KEY,
  size_bytes BIGINT NOT NULL,
  content BYTEA NOT NULL
);
ALTER INDEX check_in_photos_next_pkey RENAME TO check_in_photos_pkey;
