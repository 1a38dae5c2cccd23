-- R-REPORT-11: quarterly, half-year and annual summaries share field_reports.
ALTER TABLE field_reports DROP CONSTRAINT field_reports_kind_check;
ALTER TABLE field_reports ADD CONSTRAINT field_reports_kind_check
  CHECK (kind IN ('day', 'week', 'month', 'quarter', 'half_year', 'year'));
