"""Import of files (CSV in UTF-8 or GBK, XLSX) with contacts, over the API and the CLI
(R-CUST-35..37); the duplicate check on edit (R-CUST-33); the hold limit on create, assign
and import (R-CUST-32); grade reasons and timeline summaries as codes (R-CUST-34)."""

import io
import json
import os
import tempfile
import unittest
import urllib.parse
import zipfile

from harness import ServerTestCase, phone, shanghai_date, unique


def xlsx(rows):
    """A minimal workbook (inline strings) as Excel and LibreOffice read it."""
    def column(index):
        return chr(ord("A") + index)
    sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows, start=1):
        sheet.append('<row r="%d">' % r)
        for c, value in enumerate(row):
            text = str(value).replace("&", "&amp;").replace("<", "&lt;")
            sheet.append('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (column(c), r, text))
        sheet.append("</row>")
    sheet.append("</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return buffer.getvalue()


class CustomerImportFileApiTests(ServerTestCase):

    def set_policy(self, key, value):
        self.assertStatus(self.as_user("gm").post("/policies/%s/versions" % key, {
            "value": value, "effectiveFrom": shanghai_date().isoformat(), "note": "api test"}), 201)

    def import_file(self, client, data, **query):
        return client.request("POST", "/customers/import-file", raw=data, query=query,
                              headers={"Content-Type": "application/octet-stream"})

    def names(self, client, q):
        return [c["name"] for c in self.assertOk(client.get("/customers", {"q": q, "limit": 200})).json["items"]]

    def test_codes_name_one_customer_and_match_import_rows(self):
        """R-CUST-48: a code is unique (409 naming its holder as a duplicate match would), found
        by the search, exported, and an import's rows with a stored customer's code add their
        contacts to it."""
        rep1, rep4 = self.as_user("rep1"), self.as_user("rep4")
        code = unique("ERP-")
        mine = self.assertStatus(rep1.post("/customers", {"name": unique("北京凌天"), "type": "distributor",
                                                          "code": code, "acknowledgeDuplicates": True}), 201).json
        self.assertEqual(mine["code"], code)
        response = rep4.post("/customers", {"name": unique("广州南方"), "type": "agent", "code": code,
                                            "acknowledgeDuplicates": True})
        self.assertStatus(response, 409, "customers.code_taken")
        self.assertEqual((response.details["holder"]["id"], response.details["holder"]["ownerName"]), (None, "张伟"))
        self.assertStatus(rep1.post("/customers", {"name": unique("甲"), "type": "agent", "code": "A B"}), 422,
                          "validation.failed")
        check = self.assertOk(self.as_user("mgr1").post("/customers/duplicate-check", {"code": code})).json
        self.assertEqual([(m["id"], m["reasons"]) for m in check["matches"]], [(mine["id"], ["code"])])
        self.assertEqual(self.names(rep1, code), [mine["name"]])
        self.assertEqual(self.names(rep4, code), [])

        text = ("客户名称,客户编码,类型,联系人,联系人手机\r\n"
                ",%s,,王经理,13900001111\r\n"
                "%s,%s,终端,李工,\r\n" % (code, unique("新客户"), unique("NEW-")))
        dry = self.assertOk(self.import_file(rep1, text.encode("utf-8"), mode="dry_run")).json
        self.assertEqual([(r["status"], r.get("id")) for r in dry["rows"]], [("contact", mine["id"]), ("ok", None)])
        self.assertEqual(dry["rows"][0]["customerName"], mine["name"])
        self.assertEqual(dry["existing"], 1)
        done = self.assertOk(self.import_file(rep1, text.encode("utf-8"), mode="all_or_nothing")).json
        self.assertEqual([r["status"] for r in done["rows"]], ["contact_added", "created"])
        self.assertEqual((done["created"], done["contactsCreated"]), (1, 2))
        stored = self.assertOk(rep1.get("/customers/%s" % mine["id"])).json
        self.assertEqual([(c["name"], c["mobile"]) for c in stored["contacts"]], [("王经理", "13900001111")])
        dry_again = self.assertOk(self.import_file(rep1, text.encode("utf-8"), mode="dry_run")).json
        self.assertEqual([r["status"] for r in dry_again["rows"]], ["existing", "existing"])  # nothing to add
        again = self.assertOk(self.import_file(rep1, text.encode("utf-8"), mode="all_or_nothing")).json
        self.assertEqual([r["status"] for r in again["rows"]], ["existing", "existing"])
        self.assertEqual((again["created"], again["contactsCreated"], again["existing"]), (0, 0, 2))
        # rep4 may not add to rep1's customer: a bad row, and all_or_nothing writes nothing.
        other = self.assertOk(self.import_file(rep4, text.encode("utf-8"), mode="all_or_nothing")).json
        self.assertEqual(other["rows"][0]["errors"], {"code": "is the code of a customer outside your scope"})
        self.assertEqual(other["created"], 0)

    def test_gbk_csv_with_contacts(self):
        stem = unique("凌天")
        text = ("客户名称,类型,电话,联系人,联系人手机\r\n"
                "%s建材有限公司,经销商,%s,王经理,13900001111\r\n"
                "%s建材有限公司,,,李会计,13900002222\r\n"
                "%s五金,终端,,,\r\n"
                ",终端,,,\r\n" % (stem, phone(), stem, stem))
        data = text.encode("gbk")
        rep1 = self.as_user("rep1")
        dry = self.assertOk(self.import_file(rep1, data, mode="dry_run")).json
        self.assertEqual((dry["encoding"], dry["format"]), ("gb18030", "csv"))
        self.assertEqual([r["status"] for r in dry["rows"]], ["ok", "contact", "ok", "invalid"])
        self.assertEqual(self.names(rep1, stem), [])
        # UTF-8 was asked for: GBK bytes are refused, not guessed.
        self.assertStatus(self.import_file(rep1, data, mode="dry_run", encoding="utf-8"), 422,
                          "customers.import_file")

        report = self.assertOk(self.import_file(rep1, data, mode="skip_bad")).json
        self.assertEqual((report["created"], report["contactsCreated"], report["invalid"]), (2, 2, 1))
        self.assertEqual([r["status"] for r in report["rows"]], ["created", "contact_added", "created", "invalid"])
        self.assertEqual(report["rows"][1]["id"], report["rows"][0]["id"])
        customer = self.assertOk(rep1.get("/customers/%s" % report["rows"][0]["id"])).json
        self.assertEqual(customer["name"], stem + "建材有限公司")
        self.assertEqual(customer["type"], "distributor")
        self.assertEqual(sorted(c["name"] for c in customer["contacts"]), ["李会计", "王经理"])
        self.assertEqual(sorted(self.names(rep1, stem)), sorted([stem + "建材有限公司", stem + "五金"]))

    def test_rows_name_their_owners(self):
        """R-CUST-65: a 负责人 column gives each row's customer to that user."""
        stem = unique("归属")
        text = ("客户名称,类型,负责人\r\n"
                "%s甲,终端,王芳\r\n"
                "%s乙,终端,rep3\r\n"
                "%s丙,终端,\r\n"
                "%s丁,终端,陈静\r\n" % (stem, stem, stem, stem)).encode("utf-8")
        mgr1 = self.as_user("mgr1")
        dry = self.assertOk(self.import_file(mgr1, text, mode="dry_run")).json
        self.assertEqual([r["status"] for r in dry["rows"]], ["ok", "ok", "ok", "invalid"])
        self.assertEqual(dry["rows"][3]["errors"], {"owner": "is outside the users you may give customers to"})
        self.assertEqual([(o["ownerName"], o["customers"]) for o in dry["owners"]],
                         [("李明", 1), ("王芳", 1), ("刘洋", 1)])
        report = self.assertOk(self.import_file(mgr1, text, mode="skip_bad")).json
        self.assertEqual(report["created"], 3)
        owners = [self.assertOk(mgr1.get("/customers/%s" % r["id"])).json["ownerName"] for r in report["rows"][:3]]
        self.assertEqual(owners, ["王芳", "刘洋", "李明"])
        self.assertEqual(self.names(self.as_user("rep2"), stem), [stem + "甲"])
        entry = self.assertOk(self.admin().get("/audit", {"action": "customers.import", "limit": 1})).json["items"][0]
        self.assertEqual(sum(o["customers"] for o in entry["after"]["owners"]), 3)

    def test_xlsx_with_mapping_and_all_or_nothing(self):
        stem = unique("东方")
        rows = [["公司", "类型", "手机", "备注列"], [stem + "照明", "经销商", "13800001234", "x"],
                [stem + "电气", "终端", "not a phone!", "y"]]
        rep1 = self.as_user("rep1")
        mapping = json.dumps({"公司": "name", "类型": "type", "手机": "phone", "备注列": None}, ensure_ascii=False)
        report = self.assertOk(self.import_file(rep1, xlsx(rows), mode="all_or_nothing", mapping=mapping)).json
        self.assertEqual(report["format"], "xlsx")
        self.assertIsNone(report["encoding"])
        self.assertEqual(report["ignoredColumns"], ["备注列"])
        self.assertEqual([r["status"] for r in report["rows"]], ["skipped", "invalid"])
        self.assertIn("phone", report["rows"][1]["errors"])
        self.assertEqual(self.names(rep1, stem), [])
        # Without a mapping the headers are unknown: name is missing.
        self.assertStatus(self.import_file(rep1, xlsx(rows), mode="dry_run"), 422, "validation.failed")
        self.assertStatus(self.import_file(rep1, b"PK\x03\x04broken", mode="dry_run"), 422, "customers.import_file")
        self.assertStatus(self.import_file(rep1, b"name\n", mode="dry_run"), 422, "validation.failed")
        self.assertStatus(self.import_file(rep1, b"name\nx\n", mode="sometimes"), 422, "validation.failed")

    def test_file_over_the_json_body_limit_is_read_whole(self):
        # The server hands the handler its own buffer of the upload (no copy): a file larger
        # than the 1 MiB JSON limit is read to its last byte; over the route's 20 MiB: 413.
        stem = unique("远帆")
        user = self.make_user(role="rep", unit_name="华东一组")
        rep = self.new_client()
        self.assertOk(rep.login(user["username"], "Passw0rd1"))
        padding = "备" * 2000  # an ignored column, 6,000 bytes a row
        lines = ["客户名称,类型,说明"] + ["%s%03d号,终端,%s" % (stem, i, padding) for i in range(200)]
        data = ("\r\n".join(lines) + "\r\n").encode()
        self.assertGreater(len(data), 1024 * 1024)
        report = self.assertOk(self.import_file(rep, data, mode="skip_bad")).json
        self.assertEqual((report["total"], report["created"], report["invalid"]), (200, 200, 0))
        self.assertEqual(report["ignoredColumns"], ["说明"])
        last = self.assertOk(rep.get("/customers/%s" % report["rows"][-1]["id"])).json
        self.assertEqual(last["name"], stem + "199号")
        too_large = data + b"x" * (20 * 1024 * 1024 - len(data) + 1)
        self.assertStatus(self.import_file(rep, too_large, mode="dry_run"), 413, "request.body_too_large")
        self.assertEqual(len(self.names(rep, stem)), 200)

    def test_cli_imports_the_same_way(self):
        stem = unique("华盛")
        with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as f:
            f.write(("\ufeff客户名称,类型,联系人\n%s机电,代理商,赵工\n%s机电,,钱工\n" % (stem, stem)).encode("utf-8"))
            path = f.name
        try:
            dry = self.server.cli("import", "customers", path, "--owner", "rep2", "--dry-run", "--json")
            self.assertEqual(dry.returncode, 0, dry.stderr)
            self.assertEqual(json.loads(dry.stdout)["encoding"], "utf-8")
            self.assertEqual(self.names(self.as_user("rep2"), stem), [])
            done = self.server.cli("import", "customers", path, "--owner", "rep2")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("1 customers and 2 contacts created", done.stdout)
            rep2 = self.as_user("rep2")
            self.assertEqual(self.names(rep2, stem), [stem + "机电"])
            self.assertEqual(self.names(self.as_user("rep1"), stem), [])
            entries = self.assertOk(self.admin().get("/audit", {"action": "customers.import", "limit": 1})).json
            self.assertEqual(entries["items"][0]["after"]["contacts"], 2)
            bad = self.server.cli("import", "customers", path, "--owner", "nobody")
            self.assertNotEqual(bad.returncode, 0)
        finally:
            os.unlink(path)

    def test_edit_checks_duplicates_of_what_changed(self):
        rep1, rep4 = self.as_user("rep1"), self.as_user("rep4")
        shared_phone = phone()
        theirs = self.assertStatus(rep4.post("/customers", {"name": unique("广州南方建材") + "有限公司", "type": "distributor",
                                                            "acknowledgeDuplicates": True}), 201).json
        mine = self.assertStatus(rep1.post("/customers", {"name": unique("北京凌天"), "type": "distributor",
                                                          "phone": shared_phone, "acknowledgeDuplicates": True}), 201).json
        self.assertStatus(rep1.post("/customers", {"name": unique("北京其他"), "type": "agent", "phone": shared_phone,
                                                   "acknowledgeDuplicates": True}), 201)
        path = "/customers/%s" % mine["id"]
        # Renaming to the other team's customer: 409 with the owner only.
        response = rep1.patch(path, {"name": theirs["name"].replace("有限公司", "")})
        self.assertStatus(response, 409, "customers.possible_duplicate")
        match = response.details["matches"][0]
        self.assertEqual((match["id"], match["visible"], match["ownerName"]), (None, False, "陈静"))
        self.assertEqual(self.assertOk(rep1.get(path)).json["name"], mine["name"])
        # The phone it already shares does not block other edits; acknowledged, the rename saves.
        self.assertOk(rep1.patch(path, {"notes": "改备注"}))
        self.assertOk(rep1.patch(path, {"name": mine["name"] + "分部"}))
        renamed = self.assertOk(rep1.patch(path, {"name": theirs["name"], "acknowledgeDuplicates": True})).json
        self.assertEqual(renamed["name"], theirs["name"])

    def test_hold_limit_on_create_assign_and_import(self):
        user = self.make_user(role="rep", unit_name="华东一组")
        rep = self.new_client()
        self.assertOk(rep.login(user["username"], "Passw0rd1"))
        self.set_policy("customers.max_held_per_rep", 1)
        try:
            self.assertStatus(rep.post("/customers", {"name": unique("限额一"), "type": "agent",
                                                      "acknowledgeDuplicates": True}), 201)
            response = rep.post("/customers", {"name": unique("限额二"), "type": "agent", "acknowledgeDuplicates": True})
            self.assertStatus(response, 409, "customers.hold_limit")
            self.assertEqual(response.details, {"limit": 1, "held": 1, "ownerId": rep.user_id})
            other = self.assertStatus(self.as_user("mgr1").post("/customers", {
                "name": unique("限额三"), "type": "agent", "acknowledgeDuplicates": True}), 201).json
            self.assertStatus(self.as_user("mgr1").post("/customers/%s/assign" % other["id"], {"ownerId": rep.user_id}),
                              409, "customers.hold_limit")
            self.assertStatus(self.import_file(rep, ("客户名称,类型\n%s,终端\n" % unique("限额四")).encode(), mode="skip_bad"),
                              409, "customers.hold_limit")
        finally:
            self.set_policy("customers.max_held_per_rep", 300)

    def test_grade_reasons_and_timeline_summaries_have_codes(self):
        rep1 = self.as_user("rep1")
        customer = self.assertStatus(rep1.post("/customers", {"name": unique("代码客户"), "type": "agent",
                                                              "purchaseHorizon": "within_3_months",
                                                              "acknowledgeDuplicates": True}), 201).json
        self.assertEqual(customer["grade"]["reasonCode"], "customers.grade_reason.horizon")
        self.assertEqual(customer["grade"]["reasonParams"], {"grade": "important", "horizon": "within_3_months"})
        self.assertEqual(customer["grade"]["reason"], "important: decision expected within 3 months")
        path = "/customers/%s" % customer["id"]
        overridden = self.assertOk(self.as_user("mgr1").post(path + "/grade-override",
                                                               {"grade": "key", "reason": "老板亲自跟进"})).json
        self.assertEqual(overridden["grade"]["reasonCode"], "customers.grade_reason.override")
        self.assertEqual(overridden["grade"]["reasonParams"], {"grade": "key", "reason": "老板亲自跟进"})
        history = self.assertOk(rep1.get(path + "/grade-history")).json["items"]
        self.assertEqual(history[0]["reasonCode"], "customers.grade_reason.override")
        self.assertEqual(history[1]["reasonParams"]["horizon"], "within_3_months")
        timeline = self.assertOk(rep1.get(path + "/timeline")).json["items"]
        graded, created = timeline[0], timeline[-1]
        self.assertEqual(graded["summaryCode"], "customers.timeline.graded")
        self.assertEqual(graded["summaryParams"]["grade"], "key")
        self.assertEqual(graded["summaryParams"]["actorName"], "李明")
        self.assertEqual(created["summaryCode"], "customers.timeline.created")
        self.assertEqual(created["summaryParams"]["name"], customer["name"])


if __name__ == "__main__":
    unittest.main()
