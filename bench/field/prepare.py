#!/usr/bin/env python3
"""Fills a demo database with the field benchmark's data, in a few SQL statements:

  - two departments of 5,000 reps each (50 teams of 100), reps of role `rep`, all with
    the demo password: ONE argon2id hash copied from the demo user rep1, never 10,000
    hashings;
  - one customer per rep, owned by the rep, pinned near Hangzhou;
  - one API bearer token per rep, inserted as an `api` session the way
    POST /auth/tokens stores it (BLAKE2b-256 of the token, hex; platform/auth.cc
    HashToken). That is the fastest legitimate way: the server authenticates these tokens
    exactly like tokens a user created, with no 10,000 argon2 logins.

Writes `tokens.csv` (token, customer id, lat, lng) for the load generator and prints the
SQL's timing. Usage:
  prepare.py --sql "sqlite3 DB"          --out DIR [--reps 10000]
  prepare.py --sql "psql URL -v ON_ERROR_STOP=1 -q" --out DIR
"""

import argparse
import hashlib
import os
import secrets
import shlex
import subprocess
import time

NOW = "2026-01-01T00:00:00.000Z"
# The customers' last follow-up is the time of preparation: with NOW, a whole year idle,
# the server's pool-reclaim job (R-CUST-10) would return all 10,000 customers to the pool
# at start-up, in one long write transaction in the middle of the burst.
FOLLOWED_UP = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def run_sql(prefix, sql):
    return subprocess.run(shlex.split(prefix), input=sql, check=True, capture_output=True, text=True).stdout


def values(rows):
    return ",".join("(" + ",".join("'%s'" % str(v).replace("'", "''") for v in row) + ")" for row in rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sql", required=True, help="command reading SQL on stdin")
    parser.add_argument("--out", required=True)
    parser.add_argument("--reps", type=int, default=10000)
    parser.add_argument("--team-size", type=int, default=100)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    departments = ["压测一部", "压测二部"]
    per_department = args.reps // len(departments)
    teams = []  # (team name, department)
    reps = []   # (username, name, phone, team)
    for d, department in enumerate(departments):
        for t in range(per_department // args.team_size):
            team = "%s-%02d" % (department, t + 1)
            teams.append((team, department))
            for r in range(args.team_size):
                n = len(reps) + 1
                reps.append(("bench%05d" % n, "压测%05d" % n, "139%08d" % n, team))
    secret = secrets.token_hex(8)
    tokens = [("tk_bench_%s_%s" % (r[0], secret)) for r in reps]
    hashes = [hashlib.blake2b(t.encode(), digest_size=32).hexdigest() for t in tokens]
    # The general manager's token, for the team day of 5,000 reps.
    gm_token = "tk_bench_gm_%s" % secret
    gm_hash = hashlib.blake2b(gm_token.encode(), digest_size=32).hexdigest()

    sql = ["BEGIN;"]
    # Units: a department under the company, teams under it; paths from the parent's.
    for department in departments:
        sql.append("INSERT INTO org_units (parent_id, name, kind, manager_id, path, active, created_at, updated_at) "
                   "SELECT id, '%s', 'department', NULL, '', 1, '%s', '%s' FROM org_units WHERE parent_id IS NULL;"
                   % (department, NOW, NOW))
    sql.append("UPDATE org_units SET path = (SELECT p.path FROM org_units p WHERE p.id = org_units.parent_id) "
               "|| CAST(id AS TEXT) || '/' WHERE path = '';")
    sql.append("INSERT INTO org_units (parent_id, name, kind, manager_id, path, active, created_at, updated_at) "
               "SELECT d.id, v.column1, 'team', NULL, '', 1, '%s', '%s' FROM (VALUES %s) AS v "
               "JOIN org_units d ON d.name = v.column2;" % (NOW, NOW, values(teams)))
    sql.append("UPDATE org_units SET path = (SELECT p.path FROM org_units p WHERE p.id = org_units.parent_id) "
               "|| CAST(id AS TEXT) || '/' WHERE path = '';")
    for start in range(0, len(reps), 2000):
        chunk = reps[start:start + 2000]
        sql.append(
            "INSERT INTO users (username, name, phone, email, unit_id, manager_id, employment_status, hired_on, "
            "active, password_hash, must_change_password, failed_logins, created_at, updated_at) "
            "SELECT v.column1, v.column2, v.column3, NULL, o.id, NULL, 'regular', '2024-01-01', 1, h.password_hash, "
            "0, 0, '%s', '%s' FROM (VALUES %s) AS v JOIN org_units o ON o.name = v.column4 "
            "CROSS JOIN (SELECT password_hash FROM users WHERE username = 'rep1') h;" % (NOW, NOW, values(chunk)))
    sql.append("INSERT INTO user_roles (user_id, role) SELECT id, 'rep' FROM users WHERE username LIKE 'bench%';")
    # One pinned customer per rep (120.1551 + k·0.001: a few km apart).
    sql.append(
        "INSERT INTO customers (name, type, latitude, longitude, status, source, purchase_horizon, credit_status, "
        "tags, grade, grade_reason, grade_source, computed_grade, computed_reason, owner_id, owned_since, name_key, "
        "search_pinyin, search_initials, created_by, created_at, updated_at, last_follow_up_at) "
        "SELECT '压测客户' || u.username, 'distributor', 30.2741 + (u.id %% 100) * 0.001, "
        "120.1551 + (u.id %% 97) * 0.001, 'active', 'other', 'unknown', 'unknown', '', 'watch', '', 'computed', "
        "'watch', '', u.id, '%s', 'bench customer ' || u.username, '', '', u.id, '%s', '%s', '%s' "
        "FROM users u WHERE u.username LIKE 'bench%%';" % (NOW, NOW, NOW, FOLLOWED_UP))
    for start in range(0, len(reps), 2000):
        rows = [(reps[i][0], hashes[i]) for i in range(start, min(start + 2000, len(reps)))]
        sql.append(
            "INSERT INTO sessions (token_hash, user_id, kind, name, csrf_token, created_at, last_seen_at, expires_at, "
            "ip, user_agent) SELECT v.column2, u.id, 'api', 'bench', NULL, '%s', '%s', '2099-01-01T00:00:00.000Z', "
            "NULL, NULL FROM (VALUES %s) AS v JOIN users u ON u.username = v.column1;" % (NOW, NOW, values(rows)))
    sql.append("INSERT INTO sessions (token_hash, user_id, kind, name, csrf_token, created_at, last_seen_at, "
               "expires_at, ip, user_agent) SELECT '%s', id, 'api', 'bench', NULL, '%s', '%s', "
               "'2099-01-01T00:00:00.000Z', NULL, NULL FROM users WHERE username = 'gm';" % (gm_hash, NOW, NOW))
    sql.append("COMMIT;")
    if args.sql.startswith("psql"):
        # A live PostgreSQL database has long been analysed and vacuumed by autovacuum
        # (statistics for the planner, visibility map for index-only scans) when its
        # users and roles are read; the bench measures seconds after this bulk insert,
        # before autovacuum's first round. The day's check-ins and visits stay fresh.
        sql.append("VACUUM (ANALYZE) org_units, users, user_roles, customers, sessions;")
    started = time.time()
    run_sql(args.sql, "\n".join(sql) + "\n")
    elapsed = time.time() - started
    # The customers, in rep order, for the token file.
    listing = run_sql(args.sql, "SELECT u.username || ',' || CAST(c.id AS TEXT) || ',' || CAST(c.latitude AS TEXT) "
                                "|| ',' || CAST(c.longitude AS TEXT) FROM customers c JOIN users u ON u.id = c.owner_id "
                                "WHERE u.username LIKE 'bench%' ORDER BY u.username;\n")
    by_user = {}
    for line in listing.splitlines():
        parts = line.strip().split(",")
        if len(parts) == 4:
            by_user[parts[0]] = parts[1:]
    with open(os.path.join(args.out, "tokens.csv"), "w") as out:
        for rep, token in zip(reps, tokens):
            customer, lat, lng = by_user[rep[0]]
            out.write("%s,%s,%s,%s\n" % (token, customer, lat, lng))
    with open(os.path.join(args.out, "gm_token.txt"), "w") as out:
        out.write(gm_token + "\n")
    unit = run_sql(args.sql, "SELECT CAST(id AS TEXT) FROM org_units WHERE name = '%s';\n" % departments[0])
    with open(os.path.join(args.out, "unit_id.txt"), "w") as out:
        out.write(unit.strip() + "\n")
    # One team of the first department, for the full team day.
    team = run_sql(args.sql, "SELECT CAST(id AS TEXT) FROM org_units WHERE name = '%s';\n" % teams[0][0])
    with open(os.path.join(args.out, "team_id.txt"), "w") as out:
        out.write(team.strip() + "\n")
    print("prepared %d reps, %d teams, %d customers, %d tokens in %.1f s" %
          (len(reps), len(teams), len(by_user), len(tokens), elapsed))


if __name__ == "__main__":
    main()
