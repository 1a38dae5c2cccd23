"""Customer merges and their reversal, and saved list views (docs/api-customers.md,
R-CUST-16..21): black-box over HTTP on the backend chosen by TUOKE_BACKEND."""

import unittest

from harness import ServerTestCase, phone, unique


class CustomerMergeApiTests(ServerTestCase):

    def create(self, client, name=None, **fields):
        body = {"name": name or unique("客户"), "type": "distributor", "acknowledgeDuplicates": True}
        body.update(fields)
        return self.assertStatus(client.post("/customers", body), 201).json

    def kinds(self, client, customer_id):
        return [item["kind"] for item in self.assertOk(client.get("/customers/%s/timeline" % customer_id)).json["items"]]

    def test_merge_moves_contacts_and_history_and_reverse_restores_them(self):
        rep1, rep2, mgr1 = self.as_user("rep1"), self.as_user("rep2"), self.as_user("mgr1")
        number = phone()
        survivor = self.create(rep1, unique("凌天商贸"), tags=["重点"])
        merged = self.create(rep2, unique("凌天贸易"), tags=["展会"], phone=number)
        contact = self.assertStatus(rep2.post("/customers/%s/contacts" % merged["id"], {"name": "李采购"}), 201).json
        self.assertStatus(rep2.post("/customers/%s/follow-ups" % merged["id"],
                                    {"channel": "phone", "summary": "问价"}), 201)
        merged_kinds = self.kinds(rep2, merged["id"])

        # Validation and scope first: nothing happens.
        self.assertStatus(rep1.post("/customers/merge", {"survivorId": survivor["id"], "mergedId": merged["id"],
                                                         "reason": "x"}), 403, "access.denied")
        response = self.assertStatus(mgr1.post("/customers/merge", {"survivorId": survivor["id"],
                                                                    "mergedId": survivor["id"]}), 422)
        self.assertEqual(set(response.fields), {"mergedId", "reason"})
        other_team = self.create(self.as_user("rep4"))
        self.assertStatus(mgr1.post("/customers/merge", {"survivorId": survivor["id"], "mergedId": other_team["id"],
                                                         "reason": "x"}), 404, "customers.not_found")

        before = self.audit_head()
        record = self.assertStatus(mgr1.post("/customers/merge", {
            "survivorId": survivor["id"], "mergedId": merged["id"], "reason": "同一家公司"}), 201).json
        self.assertEqual(record["kind"], "merge")
        self.assertEqual(record["survivorId"], survivor["id"])
        self.assertEqual(record["mergedId"], merged["id"])
        self.assertEqual(record["moved"]["contacts"], [contact["id"]])
        self.assertEqual(len(record["moved"]["events"]), len(merged_kinds))
        self.assertEqual(record["moved"]["tags"], ["展会"])
        self.assertIsNone(record["reversedById"])
        self.assertEqual(record["actorName"], "李明")

        detail = self.assertOk(mgr1.get("/customers/" + survivor["id"])).json
        self.assertEqual([c["name"] for c in detail["contacts"]], ["李采购"])
        self.assertEqual(detail["tags"], ["重点", "展会"])
        self.assertIn("follow_up", self.kinds(mgr1, survivor["id"]))
        self.assertEqual(self.kinds(mgr1, survivor["id"])[0], "merged")
        gone = self.assertStatus(rep2.get("/customers/" + merged["id"]), 404, "customers.merged")
        self.assertEqual(gone.details["mergedInto"], survivor["id"])
        listed = [c["id"] for c in self.assertOk(mgr1.get("/customers", {"limit": 200})).json["items"]]
        self.assertNotIn(merged["id"], listed)
        self.assertIn(survivor["id"], listed)
        matches = self.assertOk(mgr1.post("/customers/duplicate-check", {"phone": number})).json["matches"]
        self.assertEqual(matches, [])
        audit = self.assertOk(self.admin().get("/audit", {"action": "customers.merge", "limit": 1})).json["items"][0]
        self.assertGreater(int(audit["id"]), int(before))
        self.assertEqual(audit["entityId"], merged["id"])
        self.assertEqual(audit["after"]["id"], record["id"])

        reversal = self.assertStatus(mgr1.post("/customers/merges/%s/reverse" % record["id"],
                                               {"reason": "并非同一家"}), 201).json
        self.assertEqual(reversal["kind"], "reversal")
        self.assertEqual(reversal["reversesId"], record["id"])
        self.assertEqual(reversal["moved"]["contacts"], [contact["id"]])
        self.assertEqual(reversal["moved"]["events"], record["moved"]["events"])
        restored = self.assertOk(rep2.get("/customers/" + merged["id"])).json
        self.assertEqual([c["name"] for c in restored["contacts"]], ["李采购"])
        self.assertEqual(self.kinds(rep2, merged["id"]), ["merge_reversed", "merged_into"] + merged_kinds)
        self.assertEqual(self.assertOk(mgr1.get("/customers/" + survivor["id"])).json["tags"], ["重点"])
        self.assertEqual(self.assertOk(mgr1.post("/customers/duplicate-check", {"phone": number})).json["matches"][0]["id"],
                         merged["id"])
        self.assertStatus(mgr1.post("/customers/merges/%s/reverse" % record["id"], {}), 409,
                          "customers.merge_already_reversed")
        self.assertStatus(mgr1.post("/customers/merges/%s/reverse" % reversal["id"], {}), 409,
                          "customers.merge_not_reversible")
        self.assertStatus(mgr1.post("/customers/merges/999999/reverse", {}), 404, "customers.merge_not_found")
        audit = self.assertOk(self.admin().get("/audit", {"action": "customers.merge_reverse", "limit": 1})).json
        self.assertEqual(audit["items"][0]["after"]["id"], reversal["id"])

    def test_saved_views(self):
        rep1, rep2, rep4, mgr1 = (self.as_user(login) for login in ("rep1", "rep2", "rep4", "mgr1"))
        name = unique("华东重点")
        view = self.assertStatus(mgr1.post("/customer-views", {
            "name": name, "filters": {"grade": "A", "inPool": "false"}, "sort": "name", "shared": True}), 201).json
        self.assertEqual(set(view), {"id", "name", "filters", "sort", "shared", "ownerId", "ownerName", "mine",
                                     "createdAt", "updatedAt"})
        self.assertEqual(view["filters"], {"grade": "A", "inPool": "false"})
        self.assertTrue(view["mine"])
        self.assertStatus(mgr1.post("/customer-views", {"name": name}), 409, "customers.view_name_taken")
        bad = self.assertStatus(rep1.post("/customer-views", {
            "name": "坏", "filters": {"grade": "Z", "followUpAfter": "2026-02-30", "cursor": "x"},
            "sort": "-name"}), 422)
        self.assertEqual(set(bad.fields), {"filters.grade", "filters.followUpAfter", "filters.cursor", "sort"})

        seen = [v for v in self.assertOk(rep1.get("/customer-views")).json["items"] if v["id"] == view["id"]]
        self.assertEqual(len(seen), 1)
        self.assertFalse(seen[0]["mine"])
        self.assertIn(view["id"], [v["id"] for v in self.assertOk(rep2.get("/customer-views")).json["items"]])
        self.assertNotIn(view["id"], [v["id"] for v in self.assertOk(rep4.get("/customer-views")).json["items"]])
        self.assertStatus(rep1.patch("/customer-views/" + view["id"], {"name": "x"}), 403, "access.denied")
        self.assertStatus(rep4.delete("/customer-views/" + view["id"]), 404, "customers.view_not_found")

        changed = self.assertOk(mgr1.patch("/customer-views/" + view["id"],
                                           {"filters": {"status": "target"}, "shared": False})).json
        self.assertEqual(changed["filters"], {"status": "target"})
        self.assertFalse(changed["shared"])
        self.assertNotIn(view["id"], [v["id"] for v in self.assertOk(rep1.get("/customer-views")).json["items"]])
        self.assertStatus(mgr1.delete("/customer-views/" + view["id"]), 204)
        self.assertStatus(mgr1.delete("/customer-views/" + view["id"]), 404, "customers.view_not_found")

    def test_at_most_fifty_views_per_user(self):
        rep3 = self.as_user("rep3")
        for number in range(50):
            self.assertStatus(rep3.post("/customer-views", {"name": "视图%d" % number}), 201)
        over = self.assertStatus(rep3.post("/customer-views", {"name": "多一个"}), 409, "customers.view_limit")
        self.assertEqual(over.details["limit"], 50)


if __name__ == "__main__":
    unittest.main()
