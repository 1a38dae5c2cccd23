-- R-CUST-47 (§2.1, issue #3): the grade is computed by the company's rule, which a manager
-- may change (rule set, horizon thresholds, from a date). The archive is graded again when
-- the rule in force is not the one it was last graded under: this row remembers which one
-- that was (`fingerprint`, e.g. 'horizon 1/3/6' or 'abcd'; NULL until the first run, which
-- takes the rule in force then) and, during a pass, the last customer id graded
-- (`pending_from`; NULL when no pass is under way), so a restarted server goes on from there.
CREATE TABLE grading_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  fingerprint TEXT,
  pending_from BIGINT,
  updated_at TEXT
);
INSERT INTO grading_state (id) VALUES (1);
