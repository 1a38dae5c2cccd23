"""Competitor profiles, offers and the side-by-side comparison through the API
(docs/api-fieldreports.md "Competitor profiles", R-INTEL-7..12)."""

import unittest

from harness import ServerTestCase, shanghai_date, unique


def fen(amount):
    return {"amount": amount, "currency": "CNY"}


class CompetitorTests(ServerTestCase):

    def customer(self, client, name):
        return self.assertOk(client.post("/customers", {
            "name": name, "type": "distributor", "province": "浙江", "acknowledgeDuplicates": True}), 201).json

    def test_profile_crud_validation_and_audit(self):
        rep1, rep2, mgr1, gm = (self.as_user(u) for u in ("rep1", "rep2", "mgr1", "gm"))
        name = unique("Nippon")
        response = self.assertStatus(rep1.post("/competitor-profiles", {
            "name": " ", "aliases": ["x" * 101], "floor": fen("-1"), "weakPoints": 5, "extra": True}), 422)
        for field in ("name", "aliases[0]", "floor.amount", "weakPoints", "extra"):
            self.assertIn(field, response.fields)
        profile = self.assertOk(rep1.post("/competitor-profiles", {
            "name": name, "aliases": [unique("立邦")], "strength": "品牌强", "weakPoints": "服务慢",
            "floor": fen("38000"), "floorNote": "每桶"}), 201).json
        self.assertEqual(profile["floor"], fen("38000"))
        self.assertEqual(profile["offers"], [])
        self.assertEqual(profile["linkedReports"]["total"], 0)
        dup = self.assertStatus(rep2.post("/competitor-profiles", {"name": name.upper()}), 409,
                                "intel.duplicate_competitor")
        self.assertEqual(dup.details["profileId"], profile["id"])
        # Company knowledge: everyone with intel.read reads it; gm has no intel.write.
        self.assertOk(self.as_user("rep4").get("/competitor-profiles/" + profile["id"]))
        self.assertStatus(gm.post("/competitor-profiles", {"name": unique("x")}), 403, "access.denied")
        self.assertStatus(self.as_user("finance").get("/competitor-profiles"), 403, "access.denied")
        self.assertStatus(rep1.get("/competitor-profiles/99999999"), 404, "intel.competitor_not_found")
        # Author or a manager covering them edits.
        self.assertStatus(rep2.patch("/competitor-profiles/" + profile["id"], {"notes": "x"}), 403, "access.denied")
        edited = self.assertOk(mgr1.patch("/competitor-profiles/" + profile["id"],
                                          {"notes": "价格战主力", "floor": None})).json
        self.assertIsNone(edited["floor"])
        found = self.assertOk(rep2.get("/competitor-profiles", {"q": name.lower()})).json["items"]
        self.assertEqual([p["id"] for p in found], [profile["id"]])
        audit = self.assertOk(gm.get("/audit", {"entity": "competitor_profile", "entityId": profile["id"]})).json
        actions = [entry["action"] for entry in audit["items"]]
        self.assertIn("competitor_profile.create", actions)
        self.assertIn("competitor_profile.update", actions)
        self.assertStatus(rep1.delete("/competitor-profiles/" + profile["id"]), 204)
        self.assertStatus(rep1.get("/competitor-profiles/" + profile["id"]), 404)

    def test_offers_comparison_and_linked_reports(self):
        rep1, rep2, mgr1, mgr2 = (self.as_user(u) for u in ("rep1", "rep2", "mgr1", "mgr2"))
        name, alias = unique("Nippon"), unique("立邦")
        profile = self.assertOk(rep1.post("/competitor-profiles", {
            "name": name, "aliases": [alias], "floor": fen("38000")}), 201).json
        mine, theirs = self.customer(rep1, unique("对比客户甲")), self.customer(rep2, unique("对比客户乙"))
        path = "/competitor-profiles/%s/offers" % profile["id"]
        response = self.assertStatus(rep1.post(path, {"product": "", "observedOn": "2999-01-01"}), 422)
        for field in ("customerId", "product", "observedOn", "theirPrice"):
            self.assertIn(field, response.fields)
        self.assertStatus(rep1.post(path, {"customerId": theirs["id"], "product": "漆", "theirTerms": "x"}), 404,
                          "customers.not_found")
        offer = self.assertOk(rep1.post(path, {
            "customerId": mine["id"], "product": "净味墙面漆", "theirPrice": fen("37500"), "theirTerms": "月结60天",
            "ourPrice": fen("41000"), "ourTerms": "月结30天", "customerVolume": 300, "volumeUnit": "桶/月",
            "customerNote": "看重账期"}), 201).json
        self.assertEqual(offer["priceGap"], fen("-3500"))
        self.assertTrue(offer["belowFloor"])
        self.assertEqual(offer["observedOn"], shanghai_date().isoformat())
        self.assertStatus(rep1.post(path, {"customerId": mine["id"], "product": "净味墙面漆", "theirTerms": "y"}),
                          409, "intel.duplicate_offer")
        other = self.assertOk(rep2.post(path, {"customerId": theirs["id"], "product": "防水涂料",
                                               "theirTerms": "送货上门"}), 201).json
        # Offers follow the customer's scope.
        self.assertEqual(len(self.assertOk(rep1.get("/competitor-profiles/" + profile["id"])).json["offers"]), 1)
        self.assertEqual(len(self.assertOk(mgr1.get("/competitor-profiles/" + profile["id"])).json["offers"]), 2)
        self.assertEqual(len(self.assertOk(mgr2.get("/competitor-profiles/" + profile["id"])).json["offers"]), 0)
        self.assertStatus(rep1.patch("/competitor-offers/" + other["id"], {"ourTerms": "x"}), 404,
                          "intel.offer_not_found")
        edited = self.assertOk(mgr1.patch("/competitor-offers/" + offer["id"], {"ourPrice": fen("37000")})).json
        self.assertEqual(edited["priceGap"], fen("500"))
        # Side by side.
        self.assertStatus(rep1.get("/competitor-comparison"), 422, "validation.failed")
        by_customer = self.assertOk(rep1.get("/competitor-comparison", {"customerId": mine["id"]})).json
        self.assertEqual(by_customer["customer"]["id"], mine["id"])
        self.assertEqual([r["id"] for r in by_customer["rows"]], [offer["id"]])
        self.assertEqual(by_customer["rows"][0]["theirs"]["terms"], "月结60天")
        self.assertEqual(by_customer["rows"][0]["customerData"]["volume"], 300)
        self.assertStatus(rep1.get("/competitor-comparison", {"customerId": theirs["id"]}), 404, "customers.not_found")
        by_profile = self.assertOk(mgr1.get("/competitor-comparison", {"profileId": profile["id"]})).json
        self.assertEqual(by_profile["profile"]["name"], name)
        self.assertEqual(len(by_profile["rows"]), 2)
        self.assertFalse(by_profile["truncated"])
        # Market reports naming the competitor by an alias are linked, in intel scope.
        self.assertOk(rep1.post("/market-reports", {"kind": "competitor_price", "competitor": alias,
                                                    "observedOn": shanghai_date().isoformat(),
                                                    "description": "降价", "price": fen("36000")}), 201)
        self.assertOk(rep2.post("/market-reports", {"kind": "competitor_promotion", "competitor": name,
                                                    "observedOn": shanghai_date().isoformat(),
                                                    "description": "买赠"}), 201)
        self.assertEqual(self.assertOk(rep1.get("/competitor-profiles/" + profile["id"])).json["linkedReports"]["total"], 1)
        self.assertEqual(self.assertOk(mgr1.get("/competitor-profiles/" + profile["id"])).json["linkedReports"]["total"], 2)
        self.assertStatus(rep2.delete("/competitor-offers/" + other["id"]), 204)
        self.assertStatus(rep1.delete("/competitor-profiles/" + profile["id"]), 204)
        self.assertStatus(rep1.patch("/competitor-offers/" + offer["id"], {"ourTerms": "x"}), 404)


if __name__ == "__main__":
    unittest.main()
