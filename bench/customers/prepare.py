#!/usr/bin/env python3
"""Prepares the inputs of bench/customers/load.py from a generated database:
search terms taken from real rows (name substrings, pinyin, initials, phone digits,
contact names) and a 100,000-row CSV of new customers with contacts to import.

  prepare.py --sql "sqlite3 -separator '\t' /tmp/b/tuoke.db" --out DIR
  prepare.py --sql "psql postgresql://… -AtF '\t' -c" --out DIR
"""

import argparse
import csv
import json
import random
import shlex
import subprocess


def query(prefix, sql):
    command = shlex.split(prefix) + [sql]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in output.splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sql", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--import-rows", type=int, default=100000)
    args = parser.parse_args()
    random.seed(11)
    # Every 9973rd customer: spread over the table without ORDER BY RANDOM() on 1M rows.
    rows = query(args.sql, "SELECT name, search_pinyin, search_initials, phone, phone_key FROM customers "
                           "WHERE id % 9973 = 1 AND phone_key IS NOT NULL LIMIT 60")
    contacts = query(args.sql, "SELECT name FROM contacts WHERE id % 7919 = 3 LIMIT 400")
    samples = {
        "names": [r[0] for r in rows],
        "phones_full": [r[3] for r in rows],
        # The trade name and trade after the city: 凌天建材 (4 characters).
        "name_parts": [r[0][2:6] if len(r[0]) > 6 else r[0][:3] for r in rows],
        "initials": [r[2][:4] for r in rows],
        "pinyin": [r[1][:9] for r in rows],
        "phones": [r[4][3:8] for r in rows],
        "contacts3": [c[0] for c in contacts if len(c[0]) == 3][:60],
        "contacts2": [c[0] for c in contacts if len(c[0]) == 2][:60],
        "short": [r[0][2:4] for r in rows],
    }
    with open(args.out + "/samples.json", "w") as f:
        json.dump(samples, f, ensure_ascii=False, indent=1)

    cities = [("北京市", "北京市"), ("上海市", "上海市"), ("广东省", "广州市"), ("浙江省", "杭州市"),
              ("江苏省", "南京市"), ("四川省", "成都市")]
    chars = "凌天华盛鑫源达通恒泰嘉禾宏远金银瑞祥永信德隆昌兴鼎丰宇航新创博睿中和安康东方海川明辉"
    trades = ["建材", "五金", "机电", "电子", "科技", "装饰", "机械", "照明"]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
    with open(args.out + "/import.csv", "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["客户名称", "类型", "状态", "省", "市", "地址", "电话", "标签", "联系人", "联系人手机"])
        for i in range(args.import_rows):
            province, city = random.choice(cities)
            name = "%s%s%s%s导入%06d有限公司" % (city[:2], random.choice(chars), random.choice(chars),
                                             random.choice(trades), i)
            writer.writerow([name, random.choice(["经销商", "终端", "代理商"]), "潜在客户", province, city,
                             "%s导入路%d号" % (city, i), "139%08d" % (20000000 + i),
                             random.choice(["展会", "重点", ""]),
                             random.choice(surnames) + random.choice(given) + random.choice(given),
                             "137%08d" % (30000000 + i)])


if __name__ == "__main__":
    main()
