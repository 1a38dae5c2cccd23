-- Field reports (issue #4 items 6, 9, 10; src/modules/fieldreports/README.md,
-- docs/api-fieldreports.md): daily reports, weekly and monthly summaries, morning notes,
-- routine checklists (§11) and market intelligence (§13). Portable SQL for both backends.

-- One row per rep and report period: kind 'day' (日报), 'week' (周总结), 'month' (月报).
-- facts holds the roll-up of the field data, frozen when the report is submitted.
CREATE TABLE field_reports (
  id {{id_pk}},
  rep_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('day', 'week', 'month')),
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
CREATE INDEX field_reports_period ON field_reports (kind, period_start, rep_id);

CREATE TABLE field_report_comments (
  id {{id_pk}},
  report_id BIGINT NOT NULL REFERENCES field_reports(id),
  author_id BIGINT NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX field_report_comments_report ON field_report_comments (report_id, id);

-- The morning "where I go today" note (§3.4 [000 §2 一]); late when first written after
-- visits.morning_note_due_time.
CREATE TABLE morning_notes (
  id {{id_pk}},
  rep_id BIGINT NOT NULL REFERENCES users(id),
  note_date TEXT NOT NULL,
  plan TEXT NOT NULL,
  back_by_end_of_day INTEGER NOT NULL,
  reason_not_back TEXT,
  due_at TEXT NOT NULL,
  first_submitted_at TEXT NOT NULL,
  late INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  UNIQUE (rep_id, note_date)
);
CREATE INDEX morning_notes_date ON morning_notes (note_date, rep_id);

-- Routine checklists (§11). Instances copy the template's items when they are created,
-- so editing a template changes the next periods, never a checked list.
CREATE TABLE routine_templates (
  id {{id_pk}},
  period TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly')),
  name TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  seed_code TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE routine_template_items (
  id {{id_pk}},
  template_id BIGINT NOT NULL REFERENCES routine_templates(id),
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  UNIQUE (template_id, position)
);

-- To one user, or to the users of a unit subtree and/or of a role.
CREATE TABLE routine_assignments (
  id {{id_pk}},
  template_id BIGINT NOT NULL REFERENCES routine_templates(id),
  user_id BIGINT REFERENCES users(id),
  unit_id BIGINT REFERENCES org_units(id),
  role TEXT,
  created_by BIGINT REFERENCES users(id),
  created_at TEXT NOT NULL,
  CHECK (user_id IS NOT NULL OR unit_id IS NOT NULL OR role IS NOT NULL)
);
CREATE INDEX routine_assignments_template ON routine_assignments (template_id);

CREATE TABLE routine_instances (
  id {{id_pk}},
  template_id BIGINT NOT NULL REFERENCES routine_templates(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (template_id, user_id, period_start)
);
CREATE INDEX routine_instances_user ON routine_instances (user_id, period_start);

CREATE TABLE routine_instance_items (
  id {{id_pk}},
  instance_id BIGINT NOT NULL REFERENCES routine_instances(id),
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  checked_at TEXT,
  note TEXT,
  UNIQUE (instance_id, position)
);

-- Market intelligence (§13): competitor moves, distributor stock and flows, feedback.
-- tags are joined by U+001F as in customers.tags.
CREATE TABLE market_reports (
  id {{id_pk}},
  reporter_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('competitor_sales', 'competitor_price', 'competitor_new_product',
    'competitor_policy', 'competitor_channel', 'competitor_advertising', 'competitor_promotion',
    'distributor_stock', 'distributor_flow', 'customer_feedback')),
  competitor TEXT,
  product TEXT,
  price_fen BIGINT,
  price_currency TEXT,
  quantity BIGINT,
  quantity_unit TEXT,
  observed_on TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  customer_id BIGINT REFERENCES customers(id),
  province TEXT,
  city TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX market_reports_observed ON market_reports (observed_on, id);
CREATE INDEX market_reports_reporter ON market_reports (reporter_id, id);
CREATE INDEX market_reports_customer ON market_reports (customer_id, id);

INSERT INTO role_grants (role, permission, scope) VALUES
  ('sales_manager', 'routines.manage', 'team'), ('general_manager', 'routines.manage', 'all'),
  ('sales_assistant', 'routines.manage', 'all'), ('admin', 'routines.manage', 'all'),
  ('rep', 'intel.read', 'own'), ('sales_manager', 'intel.read', 'team'),
  ('general_manager', 'intel.read', 'all'),
  ('rep', 'intel.write', 'own'), ('sales_manager', 'intel.write', 'team');

-- The default routine templates: the lists of seed 001 §1 (业务员工作程序), in simplified
-- Chinese, numbering and final full stops removed. Companies edit and assign them.
INSERT INTO routine_templates (period, name, active, seed_code, created_at, updated_at) VALUES
  ('daily', '每日必做', 1, 'seed001.daily', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('weekly', '每周必做', 1, 'seed001.weekly', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('monthly', '每月必做', 1, 'seed001.monthly', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('quarterly', '每季度必做', 1, 'seed001.quarterly', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('half_yearly', '每半年必做', 1, 'seed001.half_yearly', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('yearly', '每年必做', 1, 'seed001.yearly', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
WITH v(position, text) AS (VALUES
    (1, '早上用十分钟鼓舞自己,增强自信'),
    (2, '用十分钟做户外活动'),
    (3, '细化一次当天的工作'),
    (4, '参加一次鼓舞式的晨会'),
    (5, '整理一次所需的资料.礼品等'),
    (6, '确定一次拜访客户的路线'),
    (7, '在客户上班时,以每位客户朋友礼仪性的问候一次'),
    (8, '到零售点,查看一次销售的情况'),
    (9, '同零售员沟通交流了解一次销售的请况'),
    (10, '了解后,与自己的目标客户沟通一次'),
    (11, '给客户帮一次忙'),
    (12, '拜访一位目标客户看能否约好外出活动一次'),
    (13, '中午给客户或零售员买一份快餐或水果'),
    (14, '请一个客户吃饭或喝茶聊天'),
    (15, '了解一个客户的性格.爱好及家人请况'),
    (16, '了解一个客户的社会关系'),
    (17, '参加一次找差距式的业务沟通会'),
    (18, '汇报一次工作.并提出需要解决的问题'),
    (19, '夜访一次值班客户以增进感情'),
    (20, '熟记一个客户和零售员的名字'),
    (21, '认真填写一次工作日志'),
    (22, '计划一下明天的工作'),
    (23, '给一个客户通一次电话或发条短信'),
    (24, '看一份报纸或新闻杂志'),
    (25, '给家人和朋友通一次电话'),
    (26, '听一段音乐或唱首歌放松自己'),
    (27, '睡前二十分钟,找出当天工作中的不足'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.daily';
WITH v(position, text) AS (VALUES
    (1, '参加一次学习推广会'),
    (2, '做一次重点客户的家访'),
    (3, '请一个目标客户户外活动一次'),
    (4, '交一个客户或零售员做朋友'),
    (5, '收集一次显著的案例'),
    (6, '根据可客户的爱好、学习一门知识'),
    (7, '与一名优秀同事做一次请教沟通'),
    (8, '与经理或主管谈心一次'),
    (9, '与一名新同事沟通交流一次'),
    (10, '浏览一次公司的网页,了解公司的最新动态'),
    (11, '总结一次本周工作中的不足'),
    (12, '协助主管开一次例会'),
    (13, '参加一次找差距式的周例会'),
    (14, '查找一次本周不足,制定纠错措施'),
    (15, '参加一次‘案例’轮讲轮训课'),
    (16, '核销一次本周的费用'),
    (17, '认真制定下周工作计划及维护计划'),
    (18, '给客户或零售员发一次祝福‘周末愉快’的短信'),
    (19, '积极主动清理一次集体和个人卫生'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.weekly';
WITH v(position, text) AS (VALUES
    (1, '统计一次当月的销量'),
    (2, '兑一次费(不带金销售的不在次列)'),
    (3, '排一次当月的用量,并重点维护'),
    (4, '把同类品种做一次比较,找出差距'),
    (5, '系统分析一次客户资料及竞争对手'),
    (6, '制定一次针对性对策'),
    (7, '开发一位目标客户'),
    (8, '交一位客户做朋友'),
    (9, '参加一次市场部每月例会'),
    (10, '根据业务排名找一次不足'),
    (11, '请教一次排名上升业务员的工作经验'),
    (12, '参加或讲一次业务培训课,并做好记录'),
    (13, '申请一次下月的维护费'),
    (14, '细化一次经理下达考核目标任务'),
    (15, '参加一次市场部娱乐活动,放松自己'),
    (16, '交一位销售方面人士做朋友'),
    (17, '认真做一次下月的工作计划'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.monthly';
WITH v(position, text) AS (VALUES
    (1, '总结一次本季度的工作,找出不足'),
    (2, '汇总一次季度销量'),
    (3, '评述一次本季度中的每月销量'),
    (4, '收集一次市场的全面信息并上报公司'),
    (5, '和主管、内勤分析研究一次业务工作计划'),
    (6, '参加市场部全体员工聚餐联欢一次'),
    (7, '参加一次市场部季度工作计划,深入学习公司的企业文化'),
    (8, '汇总一次的档案,上报省区'),
    (9, '认真做一次下季度工作计划'),
    (10, '细化一次下季度工作、销售目标'),
    (11, '确立一次目标客户的销售排行,并重点维护'),
    (12, '调整心态,善用阳光思维,永不言败'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.quarterly';
WITH v(position, text) AS (VALUES
    (1, '汇总一次半年销量与计划任务做比较'),
    (2, '参加一次半年工作总结会'),
    (3, '参加一次批评与自我批评活动'),
    (4, '参加一次下级评价上级的活动'),
    (5, '申请一次重点客户到公司参观旅游'),
    (6, '参加一次业务技能比赛'),
    (7, '参加一次半年工作考核'),
    (8, '修正一次客户档案及资料并上报'),
    (9, '参加一次市场部集体旅游活动'),
    (10, '细化一次经理制定下半年工作计划'),
    (11, '对公司的制度、文化等提一次意见和建议'),
    (12, '回家探亲一次'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.half_yearly';
WITH v(position, text) AS (VALUES
    (1, '做一次全年自我工作总结并上报'),
    (2, '制定下一年度工作计划'),
    (3, '收集有价值的市场资料并上报'),
    (4, '请教其他市场部同事的工作经验,取长补短'),
    (5, '找出自己工作中的不足,并改进'),
    (6, '慰问一次VIP'),
    (7, '参加一次业务培训'),
    (8, '参加一次全国销售会议'),
    (9, '参加一次年终总结会'),
    (10, '参加一次公司举行的文艺活动'),
    (11, '参加一次内部的评比活动'),
    (12, '回家探亲,并给予亲朋好友新年的问候'))
INSERT INTO routine_template_items (template_id, position, text)
  SELECT t.id, v.position, v.text FROM routine_templates t, v WHERE t.seed_code = 'seed001.yearly';
