-- Issue #4 item 4: check-in photos go through the blob store that customer attachments use
-- (src/storage/blob_store.h, R-VISIT-39): the bytes on disk by sha256 beside the database,
-- or in PostgreSQL (stored_blobs, in 0011_*.postgres.sql), as the server is configured.
-- The row keeps the type, the size, the sha256 and where the bytes are. Photos taken
-- before this migration kept their bytes in the row as base64 (storage 'inline'); they
-- stay there and readable. Rebuilt rather than altered: SQLite cannot drop the NOT NULL of
-- data_base64, which new rows leave empty.
CREATE TABLE check_in_photos_next (
  check_in_id BIGINT PRIMARY KEY REFERENCES check_ins(id),
  content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  storage TEXT NOT NULL CHECK (storage IN ('inline', 'disk', 'database')),
  sha256 TEXT,                              -- NULL only on 'inline' rows
  data_base64 TEXT,                         -- 'inline' rows only
  CHECK ((storage = 'inline') = (data_base64 IS NOT NULL)),
  CHECK (storage = 'inline' OR sha256 IS NOT NULL)
);
INSERT INTO check_in_photos_next (check_in_id, content_type, bytes, storage, sha256, data_base64)
SELECT check_in_id, content_type, bytes, 'inline', NULL, data_base64 FROM check_in_photos;
DROP TABLE check_in_photos;
ALTER TABLE check_in_photos_next RENAME TO check_in_photos;
