-- Customer attachments, search indexes and translatable grade reasons (issue #3 items 1, 5
-- and the benchmarks; docs/api-customers.md, src/modules/customers/README.md R-CUST-26..34).
-- Portable SQL for SQLite and PostgreSQL; the search index of each engine is in the
-- dialect files beside this one.

-- R-CUST-26..30: one row per uploaded file. The bytes live on disk under the attachment
-- directory, content-addressed by sha256 (storage 'disk'), or in the row (storage
-- 'database', PostgreSQL only: the content column of 0004_*.postgres.sql). A deleted
-- attachment keeps its row and bytes (deleted_at set) so the audit trail can name it.
CREATE TABLE customer_attachments (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL CHECK (kind IN ('floor_plan', 'business_card', 'licence', 'other')),
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  storage TEXT NOT NULL CHECK (storage IN ('disk', 'database')),
  note TEXT,
  uploaded_by BIGINT REFERENCES users(id),
  uploaded_at TEXT NOT NULL,
  deleted_by BIGINT REFERENCES users(id),
  deleted_at TEXT
);
CREATE INDEX customer_attachments_customer ON customer_attachments (customer_id, id);

-- R-CUST-31: the pinyin of a contact's name (written by the service, like the customer's
-- search keys), so one- and two-character Chinese searches can use the trigram index.
ALTER TABLE contacts ADD COLUMN search_pinyin TEXT;

-- R-CUST-34: the grade reason as a message code with parameters, for the web client to
-- translate; grade_reason stays as the English fallback text. NULL on rows graded before.
ALTER TABLE customers ADD COLUMN grade_reason_json TEXT;
ALTER TABLE customer_grade_history ADD COLUMN reason_json TEXT;
