-- Issue #4, the team day of a department (R-VISIT-58): the summary counts the day's
-- check-ins per rep and flag set, and the day's visits per rep and report state. The
-- day indexes of 0007 gain those columns, so both grouped queries read the index alone
-- (no table lookup per row); they replace the old ones, whose columns they start with,
-- so a check-in still maintains one day index.
DROP INDEX check_ins_day;
CREATE INDEX check_ins_day ON check_ins (business_date, rep_id, flags, at);
DROP INDEX visits_day;
CREATE INDEX visits_day ON visits (visit_date, rep_id, report_status, report_due_on);
