-- R-CUST-51: when the database blob store last stored or reused a blob's bytes. The purge
-- leaves bytes touched in the last minutes: an upload of the same bytes may have reused
-- them after the purge looked for rows needing them and before its own row commits
-- (src/storage/blob_store.h). NULL on rows stored before: not touched since.
ALTER TABLE stored_blobs ADD COLUMN touched_at TEXT;
