-- R-CUST-51 (issue #3 item 1): the bytes of a deleted customer attachment are removed once
-- the company's retention (policy customers.deleted_attachment_retention_days) has passed.
-- The row stays, with purged_at set, so the audit trail and the timeline still name the
-- file; only the bytes go (src/modules/customers/README.md).
ALTER TABLE customer_attachments ADD COLUMN purged_at TEXT;
-- The purge's candidates: deleted, bytes not removed yet, the oldest deletion first.
CREATE INDEX customer_attachments_purge ON customer_attachments (deleted_at)
  WHERE deleted_at IS NOT NULL AND purged_at IS NULL;
-- Whether another attachment still needs the same bytes (one copy per sha256).
CREATE INDEX customer_attachments_sha256 ON customer_attachments (sha256);
