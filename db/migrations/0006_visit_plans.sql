-- Monthly visit plans and visit applications (issue #4 items 2, 3, 8; docs/api-visits.md
-- "Plans, applications, norms"; src/modules/visits/README.md R-VISIT-1..29).
-- Portable SQL for SQLite and PostgreSQL.

-- R-VISIT-5..12: one plan per rep and month ("YYYY-MM"); its approval runs in the
-- approvals engine (kind "visit_plan"), whose outcome sets the status.
CREATE TABLE visit_plans (
  id {{id_pk}},
  rep_id BIGINT NOT NULL REFERENCES users(id),
  month TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'returned', 'rejected', 'withdrawn')),
  sales_target_fen BIGINT,
  admin_targets TEXT,
  note TEXT,
  approval_request_id BIGINT,
  -- R-VISIT-9: the first submission decides lateness; resubmissions keep it.
  first_submitted_at TEXT,
  submitted_at TEXT,
  submitted_late INTEGER NOT NULL DEFAULT 0,
  decided_at TEXT,
  decision_comment TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (rep_id, month)
);
CREATE INDEX visit_plans_month ON visit_plans (month, rep_id);

CREATE TABLE visit_plan_items (
  id {{id_pk}},
  plan_id BIGINT NOT NULL REFERENCES visit_plans(id),
  position INTEGER NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  visit_date TEXT NOT NULL,
  purposes TEXT NOT NULL,      -- comma list of purpose codes (§3.1)
  note TEXT
);
CREATE INDEX visit_plan_items_plan ON visit_plan_items (plan_id, position);
CREATE INDEX visit_plan_items_customer ON visit_plan_items (customer_id);

-- R-VISIT-15..22: a field trip's application; status follows the approvals engine
-- (kind "visit_application"). needs_registration freezes visits.application_required at
-- submission, so HasCoveringApplication knows whether "approved" is enough.
CREATE TABLE visit_applications (
  id {{id_pk}},
  rep_id BIGINT NOT NULL REFERENCES users(id),
  visit_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'registered', 'rejected', 'returned', 'withdrawn')),
  comes_to_office_first INTEGER NOT NULL DEFAULT 0,
  purposes TEXT NOT NULL,
  notes TEXT,
  expected_total_fen BIGINT NOT NULL DEFAULT 0,
  deadline_at TEXT NOT NULL,
  submitted_at TEXT,
  submitted_late INTEGER NOT NULL DEFAULT 0,
  needs_registration INTEGER NOT NULL DEFAULT 1,
  approval_request_id BIGINT,
  decided_at TEXT,
  decision_comment TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX visit_applications_rep_day ON visit_applications (rep_id, visit_date);
CREATE INDEX visit_applications_day ON visit_applications (visit_date, status);

CREATE TABLE visit_application_customers (
  application_id BIGINT NOT NULL REFERENCES visit_applications(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  PRIMARY KEY (application_id, customer_id)
);
CREATE INDEX visit_application_customers_customer ON visit_application_customers (customer_id);

-- Expected expenses and gifts (§3.3 [第8条 3–4, 第9条 4]), in fen.
CREATE TABLE visit_application_expenses (
  id {{id_pk}},
  application_id BIGINT NOT NULL REFERENCES visit_applications(id),
  position INTEGER NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('gift', 'entertainment', 'meal', 'travel', 'samples', 'other')),
  description TEXT NOT NULL,
  amount_fen BIGINT NOT NULL
);
CREATE INDEX visit_application_expenses_application ON visit_application_expenses (application_id, position);

-- Default grants (contract-visit-loop.md "Permissions"; docs/api-visits.md).
INSERT INTO role_grants (role, permission, scope) VALUES
  ('rep', 'visits.read', 'own'), ('rep', 'visits.write', 'own'),
  ('sales_manager', 'visits.read', 'team'), ('sales_manager', 'visits.write', 'team'),
  ('sales_manager', 'visits.review', 'team'),
  ('general_manager', 'visits.read', 'all'), ('general_manager', 'visits.write', 'all'),
  ('general_manager', 'visits.review', 'all'),
  ('sales_assistant', 'visits.read', 'all'),
  ('admin', 'visits.read', 'all');
