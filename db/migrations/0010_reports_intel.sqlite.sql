-- R-REPORT-11: quarterly, half-year and annual summaries share field_reports. SQLite
-- cannot alter a CHECK constraint, so the table is rebuilt. The migration runs in one
-- transaction with foreign keys on: the comments are set aside first so that dropping
-- the old table deletes no referenced row, then put back under the same ids.
CREATE TEMP TABLE field_report_comments_0010 AS SELECT * FROM field_report_comments;
DELETE FROM field_report_comments;
CREATE TABLE field_reports_0010 (
  id {{id_pk}},
  rep_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('day', 'week', 'month', 'quarter', 'half_year', 'year')),
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'reviewed')),
  summary TEXT NOT NULL DEFAULT '',
  problems TEXT NOT NULL DEFAULT '',
  next_plan TEXT NOT NULL DEFAULT '',
  sections TEXT NOT NULL DEFAULT '[]',
  facts TEXT,
  due_at TEXT NOT NULL,
  submitted_at TEXT,
  late INTEGER NOT NULL DEFAULT 0,
  manager_id BIGINT REFERENCES users(id),
  reviewed_at TEXT,
  comment_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (rep_id, kind, period_start)
);
INSERT INTO field_reports_0010 SELECT id, rep_id, kind, period_start, period_end, status, summary, problems,
  next_plan, sections, facts, due_at, submitted_at, late, manager_id, reviewed_at, comment_count, created_at,
  updated_at FROM field_reports;
DROP TABLE field_reports;
ALTER TABLE field_reports_0010 RENAME TO field_reports;
CREATE INDEX field_reports_period ON field_reports (kind, period_start, rep_id);
INSERT INTO field_report_comments SELECT * FROM field_report_comments_0010;
DROP TABLE field_report_comments_0010;
