-- Approvals, notifications and webhooks (issue #4 items 1 and 11; docs/api-workflow.md,
-- rules R-APPR-n and R-NOTIF-n in docs/modules/platform.md).
-- Portable SQL for SQLite and PostgreSQL. Times are RFC 3339 UTC text, dates YYYY-MM-DD.

-- One request per submitted entity; a "returned" request is resubmitted as a new round.
CREATE TABLE approval_requests (
  id {{id_pk}},
  kind TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  requester_id BIGINT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  register_after INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'registered', 'rejected', 'returned', 'withdrawn')),
  round INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT
);
CREATE INDEX approval_requests_entity ON approval_requests (kind, entity_id, id);
CREATE INDEX approval_requests_requester ON approval_requests (requester_id, id);

-- The chain of one round. approver_id is NULL for a registration step, which any holder
-- of approvals.register may take. Only one step of a request is 'pending' at a time.
CREATE TABLE approval_steps (
  id {{id_pk}},
  request_id BIGINT NOT NULL REFERENCES approval_requests(id),
  round INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  step_kind TEXT NOT NULL CHECK (step_kind IN ('approve', 'register')),
  approver_id BIGINT REFERENCES users(id),
  role TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'pending', 'approved', 'registered', 'rejected', 'returned', 'withdrawn', 'skipped')),
  decided_by BIGINT REFERENCES users(id),
  -- Set when a delegate decided in the absent approver's name (R-APPR-8).
  on_behalf_of BIGINT REFERENCES users(id),
  comment TEXT,
  arrived_at TEXT,
  decided_at TEXT
);
CREATE INDEX approval_steps_request ON approval_steps (request_id, round, seq);
CREATE INDEX approval_steps_pending ON approval_steps (state, approver_id);
CREATE INDEX approval_steps_decider ON approval_steps (decided_by, id);

-- One delegation per user: while away (business dates, inclusive) their pending steps
-- route to the delegate.
CREATE TABLE approval_delegations (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  delegate_id BIGINT NOT NULL REFERENCES users(id),
  from_date TEXT NOT NULL,
  to_date TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX approval_delegations_delegate ON approval_delegations (delegate_id);

CREATE TABLE notifications (
  id {{id_pk}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  link TEXT NOT NULL,
  data_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

-- Outgoing group-robot webhooks. The secret is write-only in the API.
CREATE TABLE webhooks (
  id {{id_pk}},
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('dingtalk', 'wecom')),
  secret TEXT,
  events_json TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Deliveries to make, written in the notifying transaction; sent by the worker.
CREATE TABLE webhook_outbox (
  id {{id_pk}},
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
  notification_id BIGINT REFERENCES notifications(id),
  event_kind TEXT NOT NULL,
  body_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_attempt_at);
CREATE INDEX webhook_outbox_webhook ON webhook_outbox (webhook_id);

-- Every attempt, for GET /webhooks/{id}/deliveries.
CREATE TABLE webhook_deliveries (
  id {{id_pk}},
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
  outbox_id BIGINT REFERENCES webhook_outbox(id),
  event_kind TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  ok INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  duration_ms BIGINT NOT NULL,
  response_excerpt TEXT
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

INSERT INTO role_grants (role, permission, scope) VALUES
  ('sales_assistant', 'approvals.register', 'all'),
  ('admin', 'webhooks.manage', 'all'),
  ('general_manager', 'webhooks.manage', 'all');
