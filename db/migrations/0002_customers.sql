-- Customer archive (issue #3, docs/api-customers.md, src/modules/customers/README.md).
-- Portable SQL for SQLite and PostgreSQL (docs/adr/0003-storage-two-backends.md).

CREATE TABLE customers (
  id {{id_pk}},
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('terminal', 'agent', 'distributor', 'retailer', 'partner', 'peer')),
  industry TEXT,
  province TEXT,
  city TEXT,
  district TEXT,
  address TEXT,
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  phone TEXT,
  fax TEXT,
  email TEXT,
  website TEXT,
  project_unit TEXT,
  project_site TEXT,
  project_area_sqm BIGINT,
  project_expected_completion TEXT,
  status TEXT NOT NULL CHECK (status IN ('prospect', 'target', 'active', 'peer', 'lost')),
  source TEXT NOT NULL CHECK (source IN ('cold_visit', 'flyer', 'referral', 'trade_fair', 'online', 'phone', 'other')),
  referrer_customer_id BIGINT REFERENCES customers(id),
  referrer_name TEXT,
  man_money INTEGER NOT NULL DEFAULT 0,
  man_authority INTEGER NOT NULL DEFAULT 0,
  man_need INTEGER NOT NULL DEFAULT 0,
  man_easy_to_approach INTEGER NOT NULL DEFAULT 0,
  purchase_power TEXT CHECK (purchase_power IN ('clear', 'some', 'doubtful')),
  purchase_horizon TEXT NOT NULL CHECK (purchase_horizon IN ('within_1_month', 'within_3_months', 'within_6_months', 'later', 'unknown')),
  importance TEXT CHECK (importance IN ('high', 'medium', 'low')),
  potential TEXT CHECK (potential IN ('high', 'medium', 'low')),
  credit_status TEXT NOT NULL CHECK (credit_status IN ('good', 'normal', 'poor', 'unknown')),
  payment_method TEXT,
  credit_limit_fen BIGINT,
  credit_limit_currency TEXT,
  collateral TEXT,
  scale_notes TEXT,
  -- The tags in order, joined by U+001F (which clean text never contains);
  -- customer_tags indexes them for the tag filter.
  tags TEXT NOT NULL DEFAULT '',
  notes TEXT,
  -- The grade in force (override if any, else computed) and where it comes from.
  grade TEXT NOT NULL,
  grade_reason TEXT NOT NULL,
  grade_source TEXT NOT NULL CHECK (grade_source IN ('computed', 'override')),
  computed_grade TEXT NOT NULL,
  computed_reason TEXT NOT NULL,
  override_grade TEXT,
  override_reason TEXT,
  override_by BIGINT REFERENCES users(id),
  -- NULL owner: the customer is in the shared pool (公海).
  owner_id BIGINT REFERENCES users(id),
  owned_since TEXT,
  previous_owner_id BIGINT REFERENCES users(id),
  pool_entered_at TEXT,
  last_follow_up_at TEXT,
  -- Duplicate detection keys (R-CUST-4..6) and search keys (R-CUST-11), written by the service.
  name_key TEXT NOT NULL,
  phone_key TEXT,
  address_key TEXT,
  search_pinyin TEXT NOT NULL,
  search_initials TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX customers_owner ON customers (owner_id, updated_at, id);
CREATE INDEX customers_updated ON customers (updated_at, id);
CREATE INDEX customers_name ON customers (name, id);
CREATE INDEX customers_follow_up ON customers (last_follow_up_at, id);
CREATE INDEX customers_grade ON customers (grade, updated_at);
CREATE INDEX customers_status ON customers (status, updated_at);
CREATE INDEX customers_region ON customers (province, city);
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_phone_key ON customers (phone_key);
CREATE INDEX customers_address_key ON customers (address_key);
CREATE INDEX customers_pool ON customers (pool_entered_at) WHERE owner_id IS NULL;

CREATE TABLE customer_tags (
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag, customer_id);

CREATE TABLE contacts (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  title TEXT,
  mobile TEXT,
  phone TEXT,
  fax TEXT,
  email TEXT,
  qq TEXT,
  wechat TEXT,
  purchase_role TEXT,
  personality TEXT,
  hobbies TEXT,
  family TEXT,
  social_relations TEXT,
  birthday TEXT,
  notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id, id);
CREATE INDEX contacts_name ON contacts (name);

-- One row per change of the grade in force (R-CUST-3).
CREATE TABLE customer_grade_history (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  grade TEXT NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  changed_by BIGINT REFERENCES users(id),
  at TEXT NOT NULL
);
CREATE INDEX customer_grade_history_customer ON customer_grade_history (customer_id, id);

-- One row per change of owner; a NULL owner is the pool (R-CUST-7..10).
CREATE TABLE customer_owner_history (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  from_owner_id BIGINT REFERENCES users(id),
  to_owner_id BIGINT REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('created', 'assigned', 'released', 'claimed', 'reclaimed')),
  changed_by BIGINT REFERENCES users(id),
  note TEXT,
  at TEXT NOT NULL
);
CREATE INDEX customer_owner_history_customer ON customer_owner_history (customer_id, id);

-- The activity timeline; other modules append through CustomerService::AppendEvent.
CREATE TABLE customer_events (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  actor_id BIGINT REFERENCES users(id),
  actor_name TEXT,
  summary TEXT NOT NULL,
  data_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX customer_events_customer ON customer_events (customer_id, id);

-- Claims from the pool, for the daily limit (R-CUST-14); claimed_on is the business date.
CREATE TABLE pool_claims (
  id {{id_pk}},
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  claimed_on TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX pool_claims_user_day ON pool_claims (user_id, claimed_on);

-- Default grants (docs/api-customers.md).
INSERT INTO role_grants (role, permission, scope) VALUES
  ('rep', 'customers.read', 'own'), ('rep', 'customers.write', 'own'),
  ('sales_manager', 'customers.read', 'team'), ('sales_manager', 'customers.write', 'team'),
  ('sales_manager', 'customers.assign', 'team'),
  ('general_manager', 'customers.read', 'all'), ('general_manager', 'customers.write', 'all'),
  ('general_manager', 'customers.assign', 'all'),
  ('admin', 'customers.read', 'all'), ('admin', 'customers.write', 'all'),
  ('admin', 'customers.assign', 'all'),
  ('sales_assistant', 'customers.read', 'all'), ('sales_assistant', 'customers.write', 'all'),
  ('finance', 'customers.read', 'all'),
  ('customer_service', 'customers.read', 'all');
