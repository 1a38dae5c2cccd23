-- Issue #4, the team day of a department (R-VISIT-58): the summary reads the day's
-- check-ins as (rep, flags, time) and the day's visits as (rep, report state, due date).
-- The day indexes of 0007 gain those columns, so both queries read the index alone (no
-- table lookup per row); they replace the old ones, whose columns they start with, so a
-- check-in still maintains one day index.
DROP INDEX check_ins_day;
CREATE INDEX check_ins_day ON check_ins (business_date, rep_id, flags, at);
DROP INDEX visits_day;
CREATE INDEX visits_day ON visits (visit_date, rep_id, report_status, report_due_on);
