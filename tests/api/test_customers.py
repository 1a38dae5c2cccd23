"""Customer archive (docs/api-customers.md): CRUD, validation, scopes, duplicates, grades,
the shared pool, search, cursors, timeline and audit."""

import datetime
import unittest

from harness import ServerTestCase, phone, shanghai_date, unique

CUSTOMER_FIELDS = {
    "id", "name", "code", "type", "industry", "province", "city", "district", "address", "location", "phone",
    "fax", "email", "website", "project", "status", "source", "referrerCustomerId", "referrerName",
    "man", "purchasePower", "purchaseHorizon", "importance", "potential", "creditStatus",
    "paymentMethod", "creditLimit", "collateral", "scaleNotes", "tags", "notes", "grade", "ownerId",
    "ownerName", "inPool", "lastFollowUpAt", "createdAt", "updatedAt"}
CONTACT_FIELDS = {
    "id", "customerId", "name", "title", "mobile", "phone", "fax", "email", "qq", "wechat",
    "purchaseRole", "personality", "hobbies", "family", "socialRelations", "birthday", "notes"}


class CustomerApiTests(ServerTestCase):

    def create(self, client, name=None, **fields):
        body = {"name": name or unique("客户"), "type": "distributor", "acknowledgeDuplicates": True}
        body.update(fields)
        return self.assertStatus(client.post("/customers", body), 201).json

    def set_policy(self, key, value):
        self.assertStatus(self.as_user("gm").post("/policies/%s/versions" % key, {
            "value": value, "effectiveFrom": shanghai_date().isoformat(), "note": "api test"}), 201)

    # ---- CRUD ----------------------------------------------------------------------------
    def test_create_read_update_and_contacts(self):
        rep1 = self.as_user("rep1")
        body = {
            "name": unique("北京凌天商贸有限公司"), "type": "distributor", "industry": "建材",
            "province": "北京", "city": "北京", "district": "朝阳区", "address": "朝阳区建国路 88 号",
            "location": {"lat": 39.9087, "lng": 116.4605}, "phone": phone(), "website": "https://lt.example",
            "project": {"unit": "凌天置业", "site": "望京", "areaSqm": 1200, "expectedCompletion": "2027-03-31"},
            "status": "target", "source": "trade_fair",
            "man": {"money": True, "authority": False, "need": True, "easyToApproach": True},
            "purchasePower": "clear", "purchaseHorizon": "within_3_months", "importance": "high",
            "potential": "medium", "creditStatus": "good", "paymentMethod": "月结",
            "creditLimit": {"amount": "5000000", "currency": "CNY"}, "collateral": "房产",
            "tags": ["重点", "展会"], "notes": "展会认识", "acknowledgeDuplicates": True,
        }
        created = self.assertStatus(rep1.post("/customers", body), 201).json
        self.assertEqual(set(created), CUSTOMER_FIELDS)
        for field in ("name", "location", "project", "man", "creditLimit", "tags", "status", "source"):
            self.assertEqual(created[field], body[field], field)
        self.assertEqual(created["grade"], {"value": "important",
                                            "reason": "important: decision expected within 3 months",
                                            "reasonCode": "customers.grade_reason.horizon",
                                            "reasonParams": {"grade": "important", "horizon": "within_3_months"},
                                            "source": "computed", "overriddenByName": None})
        self.assertEqual(created["ownerName"], "张伟")
        self.assertFalse(created["inPool"])
        self.assertIsNone(created["lastFollowUpAt"])
        customer_id = created["id"]

        detail = self.assertOk(rep1.get("/customers/" + customer_id)).json
        self.assertEqual(detail["contacts"], [])
        updated = self.assertOk(rep1.patch("/customers/" + customer_id,
                                           {"notes": None, "tags": ["重点"], "purchaseHorizon": "within_1_month"})).json
        self.assertIsNone(updated["notes"])
        self.assertEqual(updated["tags"], ["重点"])
        self.assertEqual(updated["grade"]["value"], "key")
        self.assertEqual(updated["location"], body["location"])

        contact = self.assertStatus(rep1.post("/customers/%s/contacts" % customer_id, {
            "name": "王经理", "title": "采购经理", "mobile": "13900001111", "wechat": "wangjl",
            "purchaseRole": "decision_maker", "personality": "analytical", "birthday": "1980-05-01"}), 201).json
        self.assertEqual(set(contact), CONTACT_FIELDS)
        self.assertEqual(contact["customerId"], customer_id)
        changed = self.assertOk(rep1.patch("/contacts/" + contact["id"], {"title": None, "qq": "123456"})).json
        self.assertIsNone(changed["title"])
        self.assertEqual(changed["qq"], "123456")
        self.assertEqual(self.assertOk(rep1.get("/customers/" + customer_id)).json["contacts"], [changed])
        self.assertStatus(rep1.delete("/contacts/" + contact["id"]), 204)
        self.assertEqual(self.assertOk(rep1.get("/customers/" + customer_id)).json["contacts"], [])
        self.assertStatus(rep1.delete("/contacts/" + contact["id"]), 404, "contacts.not_found")

    def test_validation_reports_every_field_and_writes_nothing(self):
        rep1 = self.as_user("rep1")
        before = self.audit_head()
        response = rep1.post("/customers", {
            "name": "", "type": "shop", "status": None, "location": {"lat": 100, "lng": 0},
            "creditLimit": {"amount": "-5", "currency": "USD"}, "email": "nope", "tags": ["a" * 40],
            "project": {"areaSqm": -1, "expectedCompletion": "2027-02-30"}, "colour": "red"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertEqual(self.audit_head(), before)
        for field in ("name", "type", "status", "location.lat", "creditLimit.amount", "creditLimit.currency",
                      "email", "tags", "project.areaSqm", "project.expectedCompletion", "colour"):
            self.assertIn(field, response.fields, field)
        self.assertStatus(rep1.post("/customers", {"name": "缺类型"}), 422, "validation.failed")
        customer = self.create(rep1)
        self.assertStatus(rep1.patch("/customers/" + customer["id"], {"type": None}), 422, "validation.failed")
        self.assertStatus(rep1.post("/customers/%s/contacts" % customer["id"], {"mobile": "x"}), 422)
        self.assertStatus(rep1.get("/customers", {"sort": "age"}), 422, "validation.failed")
        self.assertStatus(rep1.get("/customers", {"cursor": "nonsense"}), 422, "validation.failed")

    # ---- scope ---------------------------------------------------------------------------
    def test_scope_hides_other_teams_customers(self):
        rep1, rep2, rep4 = self.as_user("rep1"), self.as_user("rep2"), self.as_user("rep4")
        mgr1, mgr2 = self.as_user("mgr1"), self.as_user("mgr2")
        name = unique("苏州恒达")
        customer = self.create(rep1, name)
        contact = self.assertStatus(rep1.post("/customers/%s/contacts" % customer["id"], {"name": "李工"}), 201).json
        for outsider in (rep2, rep4, mgr2):
            self.assertStatus(outsider.get("/customers/" + customer["id"]), 404, "customers.not_found")
            self.assertStatus(outsider.patch("/customers/" + customer["id"], {"notes": "x"}), 404,
                              "customers.not_found")
            self.assertStatus(outsider.get("/customers/%s/timeline" % customer["id"]), 404, "customers.not_found")
            self.assertStatus(outsider.patch("/contacts/" + contact["id"], {"name": "x"}), 404, "contacts.not_found")
            listed = self.assertOk(outsider.get("/customers", {"q": name})).json["items"]
            self.assertEqual(listed, [])
        self.assertStatus(rep4.get("/customers/999999"), 404, "customers.not_found")
        for insider in (mgr1, self.as_user("gm"), self.as_user("finance")):
            listed = self.assertOk(insider.get("/customers", {"q": name})).json["items"]
            self.assertEqual([c["id"] for c in listed], [customer["id"]])
        self.assertStatus(self.as_user("finance").patch("/customers/" + customer["id"], {"notes": "x"}), 403,
                          "access.denied")

    # ---- duplicates ------------------------------------------------------------------------
    def test_duplicates_tell_the_rep_who_owns_the_match(self):
        rep1, rep4, mgr1 = self.as_user("rep1"), self.as_user("rep4"), self.as_user("mgr1")
        stem = unique("杭州青禾")
        mobile = phone()
        first = self.create(rep1, stem + "商贸有限公司", phone=mobile, acknowledgeDuplicates=False)
        before = self.audit_head()
        response = rep4.post("/customers", {"name": "%s 贸易公司" % stem, "type": "retailer",
                                            "phone": "+86 " + mobile})
        self.assertStatus(response, 409, "customers.possible_duplicate")
        self.assertEqual(response.details["matches"], [{
            "id": None, "name": first["name"], "ownerName": "张伟", "inPool": False,
            "reasons": ["name", "phone"], "visible": False}])
        self.assertEqual(self.audit_head(), before)
        second = self.create(rep4, "%s 贸易公司" % stem, type="retailer")
        self.assertEqual(second["ownerName"], "陈静")
        check = self.assertOk(mgr1.post("/customers/duplicate-check", {"name": stem + "集团"})).json["matches"]
        by_id = {m["id"]: m for m in check}
        self.assertEqual(by_id[first["id"]]["visible"], True)
        self.assertNotIn(second["id"], by_id)  # rep4's customer is outside mgr1's team
        self.assertEqual([m["ownerName"] for m in check if not m["visible"]], ["陈静"])
        excluded = self.assertOk(rep1.post("/customers/duplicate-check", {"phone": mobile, "excludeId": first["id"]}))
        self.assertEqual(excluded.json["matches"], [])
        self.assertStatus(rep1.post("/customers/duplicate-check", {"name": 5}), 422, "validation.failed")

    # ---- grades ----------------------------------------------------------------------------
    def test_status_history(self):
        """R-CUST-62: each change of the relationship status, with where it came from."""
        rep1, rep2 = self.as_user("rep1"), self.as_user("rep2")
        customer = self.create(rep1, status="prospect")
        path = "/customers/%s" % customer["id"]
        self.assertEqual(self.assertOk(rep1.get(path + "/status-history")).json, {"items": [], "initial": "prospect"})
        self.assertOk(rep1.patch(path, {"notes": "只改备注"}))
        self.assertOk(rep1.patch(path, {"status": "target"}))
        self.assertOk(rep1.patch(path, {"status": "active", "notes": "签了第一单"}))
        history = self.assertOk(rep1.get(path + "/status-history")).json
        self.assertEqual([(h["from"], h["to"], h["changedByName"]) for h in history["items"]],
                         [("target", "active", "张伟"), ("prospect", "target", "张伟")])
        self.assertEqual(history["initial"], "prospect")
        entry = self.assertOk(rep1.get(path + "/timeline")).json["items"][0]
        self.assertEqual((entry["kind"], entry["data"]["status"]), ("edited", {"from": "target", "to": "active"}))
        self.assertEqual(sorted(entry["data"]["fields"]), ["notes", "status"])
        self.assertStatus(rep2.get(path + "/status-history"), 404, "customers.not_found")

    def test_idle_days_and_never_followed_up(self):
        """R-CUST-67: relative "no follow-up for N days" and "never followed up", in lists and views."""
        rep1 = self.as_user("rep1")
        stem = unique("跟进天数")
        never = self.create(rep1, stem + "甲")
        followed = self.create(rep1, stem + "乙")
        self.assertStatus(rep1.post("/customers/%s/follow-ups" % followed["id"], {"channel": "phone", "summary": "电话"}), 201)
        names = lambda **q: sorted(c["name"] for c in self.assertOk(rep1.get("/customers", dict(q=stem, **q))).json["items"])
        self.assertEqual(names(idleDays="1"), [never["name"]])
        self.assertEqual(names(neverFollowedUp="true"), [never["name"]])
        self.assertEqual(names(neverFollowedUp="false"), sorted([never["name"], followed["name"]]))
        for bad in ("0", "3651", "x"):
            self.assertEqual(self.assertStatus(rep1.get("/customers", {"idleDays": bad}), 422).fields,
                             {"idleDays": "must be a whole number of days from 1 to 3650"})
        view = self.assertStatus(rep1.post("/customer-views", {"name": unique("三十天未跟进"),
                                                               "filters": {"idleDays": "30"}}), 201).json
        self.assertEqual(view["filters"], {"idleDays": "30"})
        self.assertStatus(rep1.delete("/customer-views/%s" % view["id"]), 204)

    def test_grade_override_by_managers_with_history(self):
        rep1, mgr1, mgr2 = self.as_user("rep1"), self.as_user("mgr1"), self.as_user("mgr2")
        customer = self.create(rep1, purchaseHorizon="within_6_months")
        path = "/customers/%s/grade-override" % customer["id"]
        self.assertEqual(customer["grade"]["value"], "general")
        self.assertStatus(rep1.post(path, {"grade": "key", "reason": "自评"}), 403, "access.denied")
        self.assertStatus(mgr2.post(path, {"grade": "key", "reason": "x"}), 404, "customers.not_found")
        self.assertStatus(mgr1.post(path, {"grade": "B", "reason": "x"}), 422, "validation.failed")
        self.assertStatus(mgr1.post(path, {"grade": "key"}), 422, "validation.failed")
        overridden = self.assertOk(mgr1.post(path, {"grade": "key", "reason": "老板亲自跟进"})).json
        self.assertEqual(overridden["grade"], {"value": "key", "reason": "老板亲自跟进", "source": "override",
                                               "reasonCode": "customers.grade_reason.override",
                                               "reasonParams": {"grade": "key", "reason": "老板亲自跟进"},
                                               "overriddenByName": "李明"})
        restored = self.assertOk(mgr1.delete(path)).json
        self.assertEqual(restored["grade"]["source"], "computed")
        self.assertStatus(mgr1.delete(path), 409, "customers.no_grade_override")
        history = self.assertOk(rep1.get("/customers/%s/grade-history" % customer["id"])).json["items"]
        self.assertEqual([(h["grade"], h["source"]) for h in history],
                         [("general", "computed"), ("key", "override"), ("general", "computed")])
        self.assertEqual(history[1]["changedByName"], "李明")

    # ---- ownership and the pool -------------------------------------------------------------
    def test_transfer_many_hands_over_open_follow_ups(self):
        """R-CUST-61: several customers to one owner, all or nothing, with their open items."""
        rep1, rep2, mgr1 = self.as_user("rep1"), self.as_user("rep2"), self.as_user("mgr1")
        first, second = self.create(rep1), self.create(rep1)
        own = self.create(rep2)

        def item(customer, title):
            return self.assertStatus(rep1.post("/follow-up-items", {
                "customerId": customer["id"], "title": title,
                "dueOn": (shanghai_date() + datetime.timedelta(days=3)).isoformat()}), 201).json["id"]
        promised, quoted, chased = item(first, "寄样品"), item(first, "报价"), item(second, "催款")
        self.assertOk(rep1.post("/follow-up-items/%s/done" % quoted))
        ids = [first["id"], own["id"], second["id"]]

        self.assertStatus(rep1.post("/customers/assign", {"ids": ids, "ownerId": rep2.user_id}), 403, "access.denied")
        response = mgr1.post("/customers/assign", {"ids": ids + ["99999999"], "ownerId": rep2.user_id})
        self.assertStatus(response, 404, "customers.not_found")
        self.assertEqual(response.details, {"id": "99999999"})
        response = mgr1.post("/customers/assign", {"ids": [str(n) for n in range(1, 502)], "ownerId": rep2.user_id})
        self.assertStatus(response, 422, "validation.failed")
        self.assertEqual(response.details["fields"], {"ids": "must be a list of 1 to 500 ids"})
        self.assertStatus(mgr1.post("/customers/assign", {"ids": [first["id"], first["id"]], "ownerId": rep2.user_id}),
                          422, "validation.failed")
        self.assertOk(rep1.get("/customers/" + first["id"]))  # nothing was written

        result = self.assertOk(mgr1.post("/customers/assign", {
            "ids": ids, "ownerId": rep2.user_id, "note": "离职交接", "handOver": True})).json
        self.assertEqual(result, {"assigned": [first["id"], second["id"]], "unchanged": [own["id"]],
                                  "handedOver": {"followUpItems": 2}})
        for customer in (first, second):
            self.assertStatus(rep1.get("/customers/" + customer["id"]), 404, "customers.not_found")
            self.assertEqual(self.assertOk(rep2.get("/customers/" + customer["id"])).json["ownerName"], "王芳")
        entry = self.assertOk(rep2.get("/customers/%s/timeline" % first["id"])).json["items"][0]
        self.assertEqual((entry["kind"], entry["data"]["note"], entry["data"]["handedOver"]),
                         ("assigned", "离职交接", {"followUpItems": 1}))
        open_items = {i["id"]: i for i in self.assertOk(rep2.get("/follow-up-items", {"status": "open"})).json["items"]}
        self.assertEqual(open_items[promised]["ownerName"], "王芳")
        self.assertEqual(open_items[chased]["ownerName"], "王芳")
        # The finished item stays with the rep who did it (R-VISIT-54: kept for evaluation).
        done = self.assertOk(rep1.get("/follow-up-items", {"status": "done"})).json["items"]
        self.assertIn(quoted, [i["id"] for i in done])
        self.assertNotIn(promised, [i["id"] for i in self.assertOk(
            rep1.get("/follow-up-items", {"status": "all"})).json["items"]])
        # R-CUST-63: both reps were told.
        notice = self.assertOk(rep2.get("/notifications")).json["items"][0]
        self.assertEqual((notice["kind"], notice["title"], notice["link"]),
                         ("customer.assigned_many", "李明将 2 位客户转给了你", "/customers"))
        notice = self.assertOk(rep1.get("/notifications")).json["items"][0]
        self.assertEqual((notice["kind"], notice["data"]["count"], notice["data"]["ownerName"]),
                         ("customer.transferred_many", 2, "王芳"))

    def test_assign_release_and_claim_limits(self):
        rep1, rep2, mgr1 = self.as_user("rep1"), self.as_user("rep2"), self.as_user("mgr1")
        rep4 = self.user_by_username("rep4")
        customer = self.create(rep1)
        path = "/customers/%s" % customer["id"]
        self.assertStatus(rep1.post(path + "/assign", {"ownerId": rep2.user_id}), 403, "access.denied")
        self.assertStatus(mgr1.post(path + "/assign", {"ownerId": rep4["id"]}), 422, "validation.failed")
        assigned = self.assertOk(mgr1.post(path + "/assign", {"ownerId": rep2.user_id, "note": "交接"})).json
        self.assertEqual(assigned["ownerName"], "王芳")
        self.assertStatus(rep1.get(path), 404, "customers.not_found")

        released = self.assertOk(rep2.post(path + "/release", {"reason": "无意向"})).json
        self.assertTrue(released["inPool"])
        self.assertIsNone(released["ownerId"])
        self.assertStatus(rep2.patch(path, {"notes": "x"}), 409, "customers.in_pool")
        self.assertStatus(rep2.post(path + "/release", {}), 409, "customers.in_pool")
        pool = self.assertOk(self.as_user("rep5").get("/customers", {"inPool": "true", "limit": 200})).json["items"]
        self.assertIn(customer["id"], [c["id"] for c in pool])
        self.assertStatus(rep2.post(path + "/claim"), 409, "customers.cooldown")

        # Created before the hold limit drops to 2: rep1 already holds more (R-CUST-32).
        other = self.create(rep1)
        self.assertOk(rep1.post("/customers/%s/release" % other["id"], {}))
        self.set_policy("customers.pool_claim_limit_per_day", 1)
        self.set_policy("customers.max_held_per_rep", 2)
        try:
            _, newcomer = self.new_rep()
            claimed = self.assertOk(newcomer.post(path + "/claim")).json
            self.assertEqual(claimed["ownerId"], newcomer.user_id)
            # R-CUST-64: what the newcomer may still claim today.
            self.assertEqual(self.assertOk(newcomer.get("/customers/pool/status")).json,
                             {"claimedToday": 1, "claimLimitPerDay": 1, "held": 1, "maxHeld": 2, "cooldownDays": 7})
            self.assertStatus(newcomer.post(path + "/claim"), 409, "customers.not_in_pool")
            kinds = [e["kind"] for e in self.assertOk(newcomer.get(path + "/timeline")).json["items"]]
            self.assertEqual(kinds, ["claimed", "released", "assigned", "created"])
            response = newcomer.post("/customers/%s/claim" % other["id"])
            self.assertStatus(response, 409, "customers.claim_limit")
            self.assertEqual(response.details, {"limit": 1, "claimedToday": 1})
            _, holder = self.new_rep()
            self.create(holder)
            self.create(holder)
            response = holder.post("/customers/%s/claim" % other["id"])
            self.assertStatus(response, 409, "customers.hold_limit")
            self.assertEqual(response.details, {"limit": 2, "held": 2, "ownerId": holder.user_id})
        finally:
            self.set_policy("customers.pool_claim_limit_per_day", 5)
            self.set_policy("customers.max_held_per_rep", 300)

    def test_pool_reclaim_job_runs_once_across_processes(self):
        # The server took the job lease at start (or the first CLI run takes it); a second
        # process skips the job while the lease lasts (R-CUST-10).
        first = self.server.cli("jobs", "run", "pool-reclaim")
        self.assertEqual(first.returncode, 0, first.stderr)
        second = self.server.cli("jobs", "run", "pool-reclaim")
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("another process holds the job lease", second.stdout)
        self.assertNotEqual(self.server.cli("jobs", "run", "no-such-job").returncode, 0)

    # ---- search and lists -----------------------------------------------------------------
    def test_search_by_pinyin_phone_and_contact(self):
        user, rep = self.new_rep("华东一组")
        mobile = phone()
        mine = self.create(rep, "北京凌天建材", phone=mobile)
        self.create(self.as_user("rep4"), "北京凌天装饰")  # another team: never in rep's results
        self.assertStatus(rep.post("/customers/%s/contacts" % mine["id"], {"name": unique("赵经理")}), 201)
        contact_name = self.assertOk(rep.get("/customers/" + mine["id"])).json["contacts"][0]["name"]
        for query in ("bjlt", "BJLT", "beijinglingtian", "凌天", mobile[-6:], contact_name):
            with self.subTest(query=query):
                items = self.assertOk(rep.get("/customers", {"q": query, "inPool": "false"})).json["items"]
                self.assertEqual([c["id"] for c in items], [mine["id"]])
        self.assertEqual(self.assertOk(rep.get("/customers", {"q": "zzqq"})).json["items"], [])
        self.assertEqual([c["id"] for c in self.assertOk(rep.get("/customers", {
            "ownerId": user["id"], "grade": "watch", "status": "prospect", "type": "distributor"})).json["items"]],
            [mine["id"]])
        self.assertEqual(self.assertOk(rep.get("/customers", {"ownerId": user["id"], "grade": "key"})).json["items"], [])

    def test_cursor_walks_every_sort(self):
        user, rep = self.new_rep()
        ids = {self.create(rep, unique(name))["id"] for name in ("甲", "乙", "丙", "丁", "戊")}
        for sort in ("-updatedAt", "name", "lastFollowUpAt", "-lastFollowUpAt"):
            with self.subTest(sort=sort):
                seen, cursor = [], None
                for _ in range(10):
                    query = {"ownerId": user["id"], "sort": sort, "limit": 2}
                    if cursor:
                        query["cursor"] = cursor
                    page = self.assertOk(rep.get("/customers", query)).json
                    self.assertLessEqual(len(page["items"]), 2)
                    seen += [c["id"] for c in page["items"]]
                    cursor = page["nextCursor"]
                    if not cursor:
                        break
                self.assertEqual(sorted(seen), sorted(ids))

    # ---- timeline and audit ------------------------------------------------------------------
    def test_follow_ups_timeline_and_audit(self):
        rep1 = self.as_user("rep1")
        customer = self.create(rep1)
        path = "/customers/" + customer["id"]
        self.assertOk(rep1.patch(path, {"industry": "家居"}))
        entry = self.assertStatus(rep1.post(path + "/follow-ups", {"channel": "phone", "summary": "约下周拜访"}),
                                  201).json
        self.assertEqual((entry["kind"], entry["summary"], entry["actorName"]), ("follow_up", "约下周拜访", "张伟"))
        self.assertStatus(rep1.post(path + "/follow-ups", {"channel": "fax", "summary": "x"}), 422)
        self.assertStatus(rep1.post(path + "/follow-ups", {"channel": "visit", "summary": "x",
                                                           "at": "2999-01-01T00:00:00.000Z"}), 422)
        detail = self.assertOk(rep1.get(path)).json
        self.assertEqual(detail["lastFollowUpAt"], entry["data"]["at"])
        timeline = self.assertOk(rep1.get(path + "/timeline")).json
        self.assertEqual([e["kind"] for e in timeline["items"]], ["follow_up", "edited", "created"])
        self.assertEqual(timeline["items"][1]["data"], {"fields": ["industry"]})
        page = self.assertOk(rep1.get(path + "/timeline", {"limit": 1})).json
        self.assertEqual(len(page["items"]), 1)
        rest = self.assertOk(rep1.get(path + "/timeline", {"limit": 5, "cursor": page["nextCursor"]})).json
        self.assertEqual([e["kind"] for e in rest["items"]], ["edited", "created"])
        audit = self.assertOk(self.admin().get("/audit", {"entity": "customer", "entityId": customer["id"]})).json
        actions = [a["action"] for a in audit["items"]]
        self.assertEqual(actions, ["customer.follow_up", "customer.update", "customer.create"])
        self.assertEqual(audit["items"][1]["before"], {"industry": None})
        self.assertEqual(audit["items"][1]["after"], {"industry": "家居"})
        self.assertEqual(audit["items"][1]["actorName"], "张伟")


if __name__ == "__main__":
    unittest.main()
