-- Reports and market intelligence, continued (issue #4 items 6, 10, 11;
-- src/modules/fieldreports/README.md R-REPORT-11..12, R-INTEL-6..12, R-REMIND-n;
-- docs/api-fieldreports.md). Portable SQL; the dialect files widen field_reports.kind to
-- the quarterly, half-year and annual summaries (§10 reporting cadence [001 §1]).

-- Competitor profiles (§13 [003 销售新手如何找到大客户 三]): strength, what they offer our
-- key customers, weak points and their floor, kept to compare side by side with ours.
-- name_key is the trimmed, case-folded name: one profile per competitor. aliases are
-- joined by U+001F (as market_reports.tags); market reports naming the competitor by its
-- name or an alias are the profile's linked reports.
CREATE TABLE competitor_profiles (
  id {{id_pk}},
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  aliases TEXT NOT NULL DEFAULT '',
  strength TEXT NOT NULL DEFAULT '',
  weak_points TEXT NOT NULL DEFAULT '',
  floor_price_fen BIGINT,
  floor_currency TEXT,
  floor_note TEXT,
  notes TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- What the competitor offers one of our customers, beside what we offer and the
-- customer's own data (their need / volume), for the side-by-side comparison.
CREATE TABLE competitor_offers (
  id {{id_pk}},
  profile_id BIGINT NOT NULL REFERENCES competitor_profiles(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  product TEXT NOT NULL,
  their_price_fen BIGINT,
  their_terms TEXT NOT NULL DEFAULT '',
  our_price_fen BIGINT,
  our_terms TEXT NOT NULL DEFAULT '',
  customer_volume BIGINT,
  volume_unit TEXT,
  customer_note TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  observed_on TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (profile_id, customer_id, product)
);
CREATE INDEX competitor_offers_customer ON competitor_offers (customer_id, id);

CREATE INDEX market_reports_competitor ON market_reports (competitor, id);

-- R-REMIND-3: one row per reminder sent; the unique key makes a reminder go out once
-- whichever process or run sends it ('daily_report:<rep>:<date>', 'followup_overdue:<id>').
CREATE TABLE reminders_sent (
  reminder_key TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  sent_at TEXT NOT NULL
);

-- R-NOTIF-8: the language of a webhook's messages; NULL follows the policy
-- notifications.webhook_language.
ALTER TABLE webhooks ADD COLUMN language TEXT CHECK (language IN ('zh-CN', 'en'));
