"""Market intelligence through the API (docs/api-fieldreports.md, R-INTEL-n)."""

import unittest

from harness import ServerTestCase, shanghai_date, unique


class MarketIntelTests(ServerTestCase):

    def report(self, client, **fields):
        body = {"kind": "competitor_price", "competitor": "立邦", "observedOn": shanghai_date().isoformat(),
                "description": "观察"}
        body.update(fields)
        return client.post("/market-reports", body)

    def test_create_scope_filters_and_rollup(self):
        rep1, rep2, rep4 = self.as_user("rep1"), self.as_user("rep2"), self.as_user("rep4")
        mgr1, mgr2, gm = self.as_user("mgr1"), self.as_user("mgr2"), self.as_user("gm")
        tag = unique("tag")
        mine = self.assertOk(rep1.post("/customers", {
            "name": "情报测试客户", "type": "distributor", "province": "浙江", "city": "杭州",
            "acknowledgeDuplicates": True}), 201).json
        created = self.assertOk(self.report(rep1, price={"amount": "45800", "currency": "CNY"},
                                            customerId=mine["id"], tags=[tag]), 201).json
        self.assertEqual(created["province"], "浙江")
        self.assertEqual(created["price"], {"amount": "45800", "currency": "CNY"})
        self.assertOk(self.report(rep2, kind="competitor_promotion", competitor="多乐士", province="江苏",
                                  tags=[tag]), 201)
        self.assertOk(self.report(rep4, kind="distributor_stock", competitor=None, quantity=120,
                                  quantityUnit="桶", province="广东", tags=[tag]), 201)
        # The customer must be readable by the reporter.
        self.assertStatus(self.report(rep2, customerId=mine["id"]), 404, "customers.not_found")

        def ids(client, **query):
            query["tag"] = tag
            return {r["id"] for r in self.assertOk(client.get("/market-reports", query)).json["items"]}
        self.assertEqual(len(ids(rep1)), 1)
        self.assertEqual(len(ids(mgr1)), 2)
        self.assertEqual(len(ids(mgr2)), 1)
        self.assertEqual(len(ids(gm)), 3)
        self.assertEqual(len(ids(gm, kind="distributor_stock")), 1)
        self.assertEqual(len(ids(gm, province="江苏")), 1)
        self.assertEqual(ids(gm, customerId=mine["id"]), {created["id"]})
        self.assertEqual(len(ids(gm, month=shanghai_date().strftime("%Y-%m"))), 3)
        self.assertStatus(self.as_user("finance").get("/market-reports"), 403, "access.denied")
        self.assertStatus(rep2.get("/market-reports/" + created["id"]), 404, "intel.not_found")
        self.assertStatus(gm.get("/market-reports", {"month": "2026-1"}), 422)
        self.assertStatus(gm.get("/market-reports", {"kind": "gossip"}), 422)

        rollup = self.assertOk(mgr1.get("/market-reports/rollup",
                                        {"month": shanghai_date().strftime("%Y-%m")})).json
        self.assertGreaterEqual(rollup["total"], 2)
        kinds = {row["kind"] for row in rollup["byKind"]}
        self.assertTrue({"competitor_price", "competitor_promotion"} <= kinds)
        self.assertNotIn("distributor_stock", kinds)
        self.assertIn("立邦", [row["competitor"] for row in rollup["byCompetitor"]])
        self.assertStatus(mgr1.get("/market-reports/rollup"), 422)

        # Edits: the reporter or their manager.
        self.assertStatus(rep2.patch("/market-reports/" + created["id"], {"description": "x"}), 404)
        edited = self.assertOk(mgr1.patch("/market-reports/" + created["id"], {"description": "经理更正"})).json
        self.assertEqual(edited["description"], "经理更正")
        self.assertStatus(rep1.delete("/market-reports/" + created["id"]), 204)
        self.assertStatus(rep1.get("/market-reports/" + created["id"]), 404)

    def test_quarterly_market_summary(self):
        mgr2, rep5 = self.as_user("mgr2"), self.as_user("rep5")
        today = shanghai_date()
        competitor = unique("竞品")
        self.assertOk(self.report(rep5, competitor=competitor, province="广东",
                                  price={"amount": "30000", "currency": "CNY"}), 201)
        self.assertOk(self.report(rep5, competitor=competitor, province="广东",
                                  price={"amount": "28000", "currency": "CNY"}), 201)
        quarter = "%d-Q%d" % (today.year, (today.month - 1) // 3 + 1)
        rollup = self.assertOk(mgr2.get("/market-reports/rollup", {"quarter": quarter})).json
        self.assertEqual(rollup["quarter"], quarter)
        first_month = (today.month - 1) // 3 * 3 + 1
        self.assertEqual(rollup["periodStart"], "%d-%02d-01" % (today.year, first_month))
        self.assertEqual([m["month"] for m in rollup["byMonth"]],
                         ["%d-%02d" % (today.year, first_month + i) for i in range(3)])
        self.assertEqual(sum(m["count"] for m in rollup["byMonth"]), rollup["total"])
        group = next(g for g in rollup["groups"] if g["competitor"] == competitor)
        self.assertEqual(group["count"], 2)
        self.assertEqual(group["minPrice"], {"amount": "28000", "currency": "CNY"})
        self.assertEqual(group["maxPrice"], {"amount": "30000", "currency": "CNY"})
        # rep1 (another team) does not see rep5's reports in its roll-up.
        theirs = self.assertOk(self.as_user("rep1").get("/market-reports/rollup", {"quarter": quarter})).json
        self.assertNotIn(competitor, [g["competitor"] for g in theirs["groups"]])
        for bad in ("2026-Q5", "2026Q1", "2026-Q0", "26-Q1"):
            self.assertStatus(mgr2.get("/market-reports/rollup", {"quarter": bad}), 422, "validation.failed")

    def test_validation(self):
        rep1 = self.as_user("rep1")
        response = self.assertStatus(rep1.post("/market-reports", {
            "kind": "competitor_price", "price": {"amount": "-1", "currency": "USD"},
            "observedOn": "2999-01-01", "tags": ["x" * 21], "extra": 1}), 422)
        for field in ("competitor", "price.amount", "price.currency", "observedOn", "tags[0]", "description",
                      "extra"):
            self.assertIn(field, response.fields)
        self.assertStatus(rep1.post("/market-reports", {"kind": "gossip", "observedOn": "2026-01-01",
                                                        "description": "x"}), 422)


if __name__ == "__main__":
    unittest.main()
