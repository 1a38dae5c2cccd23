"""Customer import and export (docs/api-customers.md, "Import and export"): scope of the
export, CSV and XLSX that parse back with Chinese intact, the three import modes, audit."""

import csv
import io
import re
import unittest
import urllib.parse
import zipfile

from harness import ServerTestCase, phone, unique


class CustomerIoApiTests(ServerTestCase):

    def create(self, client, name, **fields):
        body = {"name": name, "type": "distributor", "acknowledgeDuplicates": True}
        body.update(fields)
        return self.assertStatus(client.post("/customers", body), 201).json

    def csv_rows(self, response):
        self.assertEqual(response.body[:3], b"\xef\xbb\xbf", "UTF-8 BOM for Excel")
        return list(csv.reader(io.StringIO(response.body[3:].decode("utf-8"), newline="")))

    def list_names(self, client, **query):
        names, cursor = [], None
        while True:
            page = self.assertOk(client.get("/customers", dict(query, limit=200, **({"cursor": cursor} if cursor else {})))).json
            names += [item["name"] for item in page["items"]]
            cursor = page["nextCursor"]
            if not cursor:
                return names

    # ---- export ----------------------------------------------------------------------------
    def test_csv_export_is_the_list_of_the_caller_with_chinese_headers_and_labels(self):
        tag = unique("导出")
        code = unique("KH-")
        mine = self.create(self.as_user("rep1"), unique("北京凌天商贸有限公司"), tags=[tag], status="target",
                           phone=phone(), address='朝阳区"建国路", 88 号', code=code)
        theirs = self.create(self.as_user("rep2"), unique("广州南方建材"), tags=[tag])
        rep1 = self.as_user("rep1")
        response = self.assertOk(rep1.get("/customers/export.csv", {"tag": tag}))
        self.assertTrue(response.headers["content-type"].startswith("text/csv"))
        disposition = response.headers["content-disposition"]
        self.assertIn("attachment", disposition)
        encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
        self.assertRegex(urllib.parse.unquote(encoded), r"^客户导出-\d{4}-\d{2}-\d{2}\.csv$")
        rows = self.csv_rows(response)
        self.assertEqual(rows[0], ["客户名称", "客户编码", "类型", "等级", "状态", "行业", "来源", "省", "市", "区县",
                                   "地址", "电话", "邮箱", "联系人", "联系人职务", "联系人手机", "负责人", "最近跟进",
                                   "标签", "备注", "创建日期"])
        cell = dict(zip(rows[0], rows[1]))
        # Exactly what the list shows the rep (the same filters and scope).
        self.assertEqual([row[0] for row in rows[1:]], self.list_names(rep1, tag=tag))
        self.assertEqual([row[0] for row in rows[1:]], [mine["name"]])
        self.assertEqual((cell["客户编码"], cell["类型"], cell["状态"]), (code, "经销商", "目标客户"))
        self.assertEqual(cell["地址"], '朝阳区"建国路", 88 号')
        self.assertEqual(cell["负责人"], "张伟")
        self.assertIn(tag, cell["标签"])
        self.assertNotIn(theirs["name"], response.body.decode("utf-8"))

        # A manager of both teams sees both; lang=en gives English headers and codes.
        gm_rows = self.csv_rows(self.assertOk(self.as_user("gm").get("/customers/export.csv",
                                                                      {"tag": tag, "lang": "en"})))
        self.assertEqual(gm_rows[0][:5], ["Name", "Code", "Type", "Grade", "Status"])
        self.assertEqual(sorted(row[0] for row in gm_rows[1:]), sorted([mine["name"], theirs["name"]]))
        self.assertEqual({row[2] for row in gm_rows[1:]}, {"distributor"})

    def test_export_audit_and_permissions(self):
        tag = unique("审计")
        self.create(self.as_user("rep1"), unique("杭州青禾建材"), tags=[tag])
        self.assertOk(self.as_user("rep1").get("/customers/export.csv", {"tag": tag}))
        entries = self.assertOk(self.admin().get("/audit", {"action": "customers.export", "limit": 1})).json["items"]
        self.assertEqual(entries[0]["after"]["filter"], {"tag": tag})
        self.assertEqual(entries[0]["after"]["rows"], 1)
        self.assertEqual(entries[0]["after"]["format"], "csv")
        self.assertStatus(self.as_user("rep1").get("/customers/export.csv", {"lang": "fr"}), 422)
        self.assertStatus(self.as_user("rep1").get("/customers/export.csv", {"status": "nope"}), 422)

    def test_xlsx_export_is_a_workbook_with_the_rows(self):
        tag = unique("表格")
        name = unique("深圳前海科技有限公司")
        self.create(self.as_user("rep1"), name, tags=[tag])
        response = self.assertOk(self.as_user("rep1").get("/customers/export.xlsx", {"tag": tag}))
        self.assertEqual(response.headers["content-type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn(".xlsx", urllib.parse.unquote(response.headers["content-disposition"]))
        book = zipfile.ZipFile(io.BytesIO(response.body))
        self.assertIn("xl/worksheets/sheet1.xml", book.namelist())
        text = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        if "xl/sharedStrings.xml" in book.namelist():
            text += book.read("xl/sharedStrings.xml").decode("utf-8")
        for expected in ("客户名称", "负责人", name, "经销商", "张伟"):
            self.assertIn(expected, text)
        self.assertIn("<pane", text, "the header row is frozen")

    # ---- import ----------------------------------------------------------------------------
    def import_body(self, mode, existing_name):
        first = unique("上海远航贸易有限公司")
        return first, {
            "mode": mode,
            "columns": ["客户名称", "type", "phone", "status", ""],
            "rows": [[first, "经销商", phone(), "潜在客户", "ignored"],
                     ["", "shop", None, None, None],
                     [existing_name, "distributor", None, "target", None]],
        }

    def test_import_dry_run_reports_and_writes_nothing(self):
        existing = self.create(self.as_user("rep1"), unique("北京华信建设有限公司"))
        rep1 = self.as_user("rep1")
        before = self.audit_head()
        first, body = self.import_body("dry_run", existing["name"])
        report = self.assertOk(rep1.post("/customers/import", body)).json
        self.assertEqual({k: report[k] for k in ("total", "valid", "invalid", "duplicates", "created")},
                         {"total": 3, "valid": 2, "invalid": 1, "duplicates": 1, "created": 0})
        self.assertEqual([row["status"] for row in report["rows"]], ["ok", "invalid", "duplicate"])
        self.assertEqual([row["row"] for row in report["rows"]], [2, 3, 4])
        self.assertEqual(set(report["rows"][1]["errors"]), {"name", "type"})
        self.assertEqual(report["rows"][2]["matches"][0]["id"], existing["id"])
        self.assertEqual(self.audit_head(), before)
        self.assertEqual(self.list_names(rep1, q=first), [])

    def test_import_all_or_nothing_and_skip_bad(self):
        existing = self.create(self.as_user("rep2"), unique("北京华信建设有限公司"))
        rep1 = self.as_user("rep1")
        first, body = self.import_body("all_or_nothing", existing["name"])
        report = self.assertOk(rep1.post("/customers/import", body)).json
        self.assertEqual(report["created"], 0)
        self.assertEqual([row["status"] for row in report["rows"]], ["skipped", "invalid", "duplicate"])
        # R-CUST-13: the match is outside rep1's scope.
        self.assertIsNone(report["rows"][2]["matches"][0]["id"])
        self.assertEqual(self.list_names(rep1, q=first), [])

        report = self.assertOk(rep1.post("/customers/import", dict(body, mode="skip_bad"))).json
        self.assertEqual(report["created"], 1)
        self.assertEqual([row["status"] for row in report["rows"]], ["created", "invalid", "duplicate"])
        created = self.assertOk(rep1.get("/customers/%s" % report["rows"][0]["id"])).json
        self.assertEqual((created["name"], created["type"], created["status"], created["ownerName"]),
                         (first, "distributor", "prospect", "张伟"))
        entries = self.assertOk(self.admin().get("/audit", {"action": "customers.import", "limit": 1})).json["items"]
        self.assertEqual(entries[0]["after"]["created"], 1)
        self.assertEqual(entries[0]["after"]["mode"], "skip_bad")

        # All good (duplicates acknowledged): everything written, for an owner the manager picks.
        rep1_id = self.user_by_username("rep1")["id"]
        names = [unique("成都天府商贸"), existing["name"]]
        report = self.assertOk(self.as_user("mgr1").post("/customers/import", {
            "mode": "all_or_nothing", "acknowledgeDuplicates": True, "ownerId": rep1_id,
            "columns": ["name", "type"], "rows": [[names[0], "终端"], [names[1], "agent"]]})).json
        self.assertEqual((report["created"], report["duplicates"]), (2, 1))
        self.assertEqual([row["status"] for row in report["rows"]], ["created", "created"])
        self.assertEqual(self.list_names(rep1, q=names[0]), [names[0]])

    def test_import_validation(self):
        rep1 = self.as_user("rep1")
        response = self.assertStatus(rep1.post("/customers/import", {"mode": "maybe", "columns": ["colour"],
                                                                     "rows": []}), 422)
        self.assertEqual(set(response.fields), {"mode", "columns", "rows"})
        too_many = {"mode": "dry_run", "columns": ["name"], "rows": [["x"]] * 5001}
        self.assertStatus(rep1.post("/customers/import", too_many), 422)
        # ownerId of someone else needs customers.assign.
        other = self.user_by_username("rep2")["id"]
        self.assertStatus(rep1.post("/customers/import", {"mode": "dry_run", "columns": ["name"],
                                                          "rows": [["x"]], "ownerId": other}), 403)
        self.assertStatus(self.as_user("finance").post("/customers/import", {}), 403)


if __name__ == "__main__":
    unittest.main()
