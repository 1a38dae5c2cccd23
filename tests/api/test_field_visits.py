"""Check-ins, visits, reports, follow-up items and the day views (docs/api-visits.md
"Check-ins, visits, follow-ups", R-VISIT-30..59) against the real binary."""

import base64
import datetime
import unittest
import uuid

from harness import ServerTestCase, shanghai_date, unique

LAT, LNG = 30.2741, 120.1551
CHECK_IN_FIELDS = {
    "id", "clientId", "repId", "repName", "customerId", "customerName", "visitId", "kind", "place", "at",
    "businessDate", "receivedAt", "capturedAt", "sentAt", "location", "distanceM", "geofence", "speedKmh",
    "flags", "delayed", "hasPhoto", "note", "replayed"}


def now_text(delta_seconds=0):
    instant = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (instant.microsecond // 1000)


class FieldVisitApiTests(ServerTestCase):

    def customer(self, client, pinned=True, lat=LAT, lng=LNG):
        body = {"name": unique("拜访客户"), "type": "distributor", "acknowledgeDuplicates": True}
        if pinned:
            body["location"] = {"lat": lat, "lng": lng}
        return self.assertStatus(client.post("/customers", body), 201).json["id"]

    def check_in(self, client, status=201, **fields):
        body = {"clientId": str(uuid.uuid4()), "kind": "in", "lat": LAT + 0.0009, "lng": LNG,
                "accuracyM": 15, "capturedAt": now_text(-1)}
        body.update(fields)
        return self.assertStatus(client.post("/check-ins", body), status).json

    def relevant(self, flags):
        # Without an approved application every field check-in is also "absence"
        # (R-VISIT-33); these tests look at the other flags.
        return [flag for flag in flags if flag not in ("absence", "no_application")]

    # ---- check-ins ------------------------------------------------------------------------
    def test_check_in_inside_opens_a_visit_and_resend_is_idempotent(self):
        rep1 = self.as_user("rep5")  # no demo check-ins today (rep1 has some: R-VISIT-38 would see a jump)
        customer = self.customer(rep1)
        client_id = str(uuid.uuid4())
        first = self.check_in(rep1, customerId=customer, clientId=client_id)
        self.assertEqual(set(first), CHECK_IN_FIELDS)
        self.assertEqual(first["geofence"], "inside")
        self.assertEqual(first["distanceM"], 100)
        self.assertEqual(self.relevant(first["flags"]), [])
        self.assertEqual(first["businessDate"], shanghai_date().isoformat())
        self.assertFalse(first["replayed"])
        self.assertIsNotNone(first["visitId"])
        again = self.check_in(rep1, status=200, customerId=customer, clientId=client_id, lat=0, lng=0)
        self.assertEqual(again["id"], first["id"])
        self.assertTrue(again["replayed"])
        self.assertEqual(again["location"], first["location"])
        visits = self.assertStatus(rep1.get("/visits", {"customerId": customer}), 200).json["items"]
        self.assertEqual(len(visits), 1)
        # The customer's follow-up clock and timeline (R-VISIT-34).
        detail = self.assertStatus(rep1.get("/customers/%s" % customer), 200).json
        self.assertEqual(detail["lastFollowUpAt"], first["at"])
        timeline = self.assertStatus(rep1.get("/customers/%s/timeline" % customer), 200).json["items"]
        self.assertEqual(timeline[0]["kind"], "visit_check_in")

    def test_outside_radius_unpinned_and_implausible_check_ins_are_flagged(self):
        rep2 = self.as_user("rep2")
        pinned = self.customer(rep2)
        unpinned = self.customer(rep2, pinned=False)
        far = self.check_in(rep2, customerId=pinned, lat=LAT + 0.01)
        self.assertEqual(far["geofence"], "outside")
        self.assertIn("outside_geofence", far["flags"])
        unknown = self.check_in(rep2, customerId=unpinned, accuracyM=900)
        self.assertEqual(unknown["geofence"], "unknown")
        self.assertIsNone(unknown["distanceM"])
        self.assertIn("no_customer_location", unknown["flags"])
        self.assertIn("poor_accuracy", unknown["flags"])
        skewed = self.check_in(rep2, place="office", capturedAt=now_text(3600))
        self.assertEqual(skewed["flags"], ["clock_skew"])
        delayed = self.check_in(rep2, place="office", capturedAt=now_text(-3600), lat=LAT + 0.0009)
        self.assertTrue(delayed["delayed"])
        self.assertIn("delayed", delayed["flags"])
        self.assertLess(delayed["at"], delayed["receivedAt"])
        # 300 km away a second later: too fast.
        jump = self.check_in(rep2, place="other", lat=LAT + 2.7)
        self.assertIn("too_fast", jump["flags"])

    def test_validation_photo_and_permissions(self):
        rep1 = self.as_user("rep1")
        response = rep1.post("/check-ins", {"kind": "sideways", "lat": 100, "extra": 1})
        self.assertStatus(response, 422, "validation.failed")
        for field in ("clientId", "kind", "lat", "lng", "accuracyM", "capturedAt", "extra"):
            self.assertIn(field, response.fields)
        bad = rep1.post("/check-ins", {"clientId": str(uuid.uuid4()), "kind": "in", "place": "office", "lat": LAT,
                                       "lng": LNG, "accuracyM": 10, "capturedAt": now_text(),
                                       "photo": "data:image/png;base64,AAAA"})
        self.assertStatus(bad, 422, "validation.failed")
        self.assertIn("photo", bad.fields)
        jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 200
        with_photo = self.check_in(rep1, place="office",
                                   photo="data:image/jpeg;base64," + base64.b64encode(jpeg).decode())
        self.assertTrue(with_photo["hasPhoto"])
        photo = rep1.get("/check-ins/%s/photo" % with_photo["id"])
        self.assertStatus(photo, 200)
        self.assertEqual(photo.body, jpeg)
        self.assertStatus(self.as_user("rep4").get("/check-ins/%s" % with_photo["id"]), 404, "visits.not_found")
        self.assertStatus(self.as_user("finance").post("/check-ins", {}), 403, "access.denied")
        # A customer the rep cannot see.
        other = self.customer(self.as_user("rep4"))
        self.assertStatus(rep1.post("/check-ins", {"clientId": str(uuid.uuid4()), "kind": "in",
                                                   "customerId": other, "lat": LAT, "lng": LNG,
                                                   "accuracyM": 10, "capturedAt": now_text()}),
                          404, "customers.not_found")

    # ---- visits and reports ------------------------------------------------------------------
    def test_report_review_and_follow_ups(self):
        rep3 = self.as_user("rep3")
        mgr1 = self.as_user("mgr1")
        customer = self.customer(rep3)
        check_in = self.check_in(rep3, customerId=customer)
        visit_id = check_in["visitId"]
        out = self.check_in(rep3, kind="out", customerId=customer)
        self.assertEqual(out["visitId"], visit_id)
        self.assertStatus(rep3.post("/check-ins", {"clientId": str(uuid.uuid4()), "kind": "out",
                                                   "customerId": customer, "lat": LAT, "lng": LNG,
                                                   "accuracyM": 10, "capturedAt": now_text()}),
                          409, "visits.no_open_visit")
        visit = self.assertStatus(rep3.get("/visits/%s" % visit_id), 200).json
        self.assertEqual(len(visit["checkIns"]), 2)
        self.assertEqual(visit["reportStatus"], "open")
        self.assertIsNotNone(visit["checkedOutAt"])
        missing = rep3.post("/visits/%s/submit-report" % visit_id)
        self.assertStatus(missing, 422, "validation.failed")
        self.assertEqual(set(missing.fields), {"purposes", "results"})
        bad = rep3.patch("/visits/%s" % visit_id, {"purposes": ["sightseeing"], "objections": [{"category": "x"}]})
        self.assertStatus(bad, 422, "validation.failed")
        self.assertIn("purposes", bad.fields)
        self.assertIn("objections[0].text", bad.fields)
        due = (shanghai_date() + datetime.timedelta(days=3)).isoformat()
        draft = self.assertStatus(rep3.patch("/visits/%s" % visit_id, {
            "purposes": ["relationship"], "targets": {"sales": "首单 50 箱"}, "results": "同意试销",
            "distributorCheck": {"stock": "库存 30 箱", "accounts": {"receivableFen": 120000}},
            "objections": [{"text": "价格偏高", "category": "price"}],
            "promises": [{"title": "寄样品", "dueOn": due}]}), 200).json
        self.assertEqual(draft["reportStatus"], "open")
        self.assertEqual(draft["distributorCheck"]["accounts"], {"receivableFen": 120000})
        self.assertStatus(mgr1.patch("/visits/%s" % visit_id, {"results": "x"}), 403, "visits.not_your_visit")
        self.assertStatus(mgr1.post("/visits/%s/review" % visit_id, {"comment": "好"}), 409,
                          "visits.report_not_submitted")
        submitted = self.assertStatus(rep3.post("/visits/%s/submit-report" % visit_id), 200).json
        self.assertEqual(submitted["reportStatus"], "submitted")
        self.assertFalse(submitted["reportLate"])
        items = self.assertStatus(rep3.get("/follow-up-items", {"visitId": visit_id}), 200).json["items"]
        self.assertEqual([(i["title"], i["dueOn"], i["state"]) for i in items], [("寄样品", due, "open")])
        self.assertStatus(self.as_user("rep1").get("/visits/%s" % visit_id), 404, "visits.not_found")
        self.assertStatus(self.as_user("mgr2").post("/visits/%s/review" % visit_id, {"comment": "x"}), 404,
                          "visits.not_found")
        self.assertStatus(rep3.post("/visits/%s/review" % visit_id, {"comment": "x"}), 403, "access.denied")
        reviewed = self.assertStatus(mgr1.post("/visits/%s/review" % visit_id, {"comment": "跟进样品"}), 200).json
        self.assertEqual(reviewed["reportStatus"], "reviewed")
        self.assertEqual(reviewed["reviewComment"], "跟进样品")
        self.assertEqual(reviewed["reviewedByName"], "李明")
        notices = self.assertStatus(rep3.get("/notifications"), 200).json["items"]
        self.assertIn("visit.report_reviewed", [n["kind"] for n in notices])
        # The follow-up is done and on the customer's timeline.
        done = self.assertStatus(rep3.post("/follow-up-items/%s/done" % items[0]["id"]), 200).json
        self.assertEqual(done["status"], "done")
        self.assertIsNotNone(done["doneAt"])
        self.assertStatus(rep3.post("/follow-up-items/%s/done" % items[0]["id"]), 409, "visits.follow_up_closed")
        kinds = [e["kind"] for e in rep3.get("/customers/%s/timeline" % customer).json["items"]]
        self.assertIn("follow_up_item_done", kinds)
        self.assertIn("follow_up_item_created", kinds)
        reviewed_list = rep3.get("/visits", {"reportStatus": "reviewed"}).json["items"]
        self.assertIn(visit_id, [v["id"] for v in reviewed_list])

    def test_follow_up_items_crud_filters_and_cursor(self):
        rep5 = self.as_user("rep5")
        customer = self.customer(rep5)
        today = shanghai_date().isoformat()
        later = (shanghai_date() + datetime.timedelta(days=5)).isoformat()
        ids = []
        for title, due in (("今天到期", today), ("以后", later), ("也是以后", later)):
            ids.append(self.assertStatus(rep5.post("/follow-up-items", {
                "customerId": customer, "title": title, "dueOn": due}), 201).json["id"])
        self.assertStatus(rep5.post("/follow-up-items", {"customerId": customer, "title": "过去", "dueOn": "2020-01-01"}),
                          422, "validation.failed")
        due_today = rep5.get("/follow-up-items", {"status": "due_today"}).json["items"]
        self.assertEqual([i["id"] for i in due_today], [ids[0]])
        page = rep5.get("/follow-up-items", {"limit": 2}).json
        self.assertEqual([i["id"] for i in page["items"]], ids[:2])
        rest = rep5.get("/follow-up-items", {"limit": 2, "cursor": page["nextCursor"]}).json
        self.assertEqual([i["id"] for i in rest["items"]], ids[2:])
        self.assertIsNone(rest["nextCursor"])
        edited = self.assertStatus(rep5.patch("/follow-up-items/%s" % ids[1], {"title": "改了", "note": "备注"}), 200).json
        self.assertEqual((edited["title"], edited["note"]), ("改了", "备注"))
        cancelled = self.assertStatus(rep5.patch("/follow-up-items/%s" % ids[2], {"status": "cancelled"}), 200).json
        self.assertEqual(cancelled["status"], "cancelled")
        self.assertEqual([i["id"] for i in rep5.get("/follow-up-items", {"status": "cancelled"}).json["items"]],
                         [ids[2]])
        self.assertStatus(self.as_user("rep1").patch("/follow-up-items/%s" % ids[1], {"title": "x"}), 404,
                          "visits.not_found")
        self.assertStatus(rep5.get("/follow-up-items", {"status": "someday"}), 422, "validation.failed")
        # The manager of the south team sees them, the east team's does not.
        self.assertIn(ids[0], [i["id"] for i in self.as_user("mgr2").get("/follow-up-items").json["items"]])
        self.assertNotIn(ids[0], [i["id"] for i in self.as_user("mgr1").get("/follow-up-items").json["items"]])

    # ---- day views ---------------------------------------------------------------------------
    def test_team_day_and_my_day(self):
        rep6 = self.as_user("rep6")
        customer = self.customer(rep6)
        self.check_in(rep6, customerId=customer, accuracyM=700)
        mgr2 = self.as_user("mgr2")
        day = self.assertStatus(mgr2.get("/team-day"), 200).json
        self.assertEqual(day["date"], shanghai_date().isoformat())
        names = sorted(rep["repName"] for rep in day["reps"])
        self.assertEqual(names, sorted(["陈静", "杨磊", "黄婷"]))
        entry = next(rep for rep in day["reps"] if rep["repName"] == "黄婷")
        self.assertEqual(len(entry["checkIns"]), 1)
        self.assertIn("poor_accuracy", entry["checkIns"][0]["flags"])
        self.assertEqual(entry["flagCounts"]["poor_accuracy"], 1)
        self.assertEqual(entry["visits"][0]["reportStatus"], "open")
        self.assertGreaterEqual(day["summary"]["repsCheckedIn"], 1)
        # A unit outside the scope is not found; the GM sees every rep.
        east = self.unit_by_name("华东一组")["id"]
        self.assertStatus(mgr2.get("/team-day", {"unitId": east}), 404, "visits.not_found")
        east_day = self.assertStatus(self.as_user("gm").get("/team-day", {"unitId": east}), 200).json
        self.assertEqual(len(east_day["reps"]), 3)
        self.assertEqual(len(self.as_user("gm").get("/team-day").json["reps"]), 6)
        self.assertStatus(mgr2.get("/team-day", {"date": "2026-13-01"}), 422, "validation.failed")
        my_day = self.assertStatus(rep6.get("/my-day"), 200).json
        self.assertEqual(len(my_day["checkIns"]), 1)
        self.assertEqual(len(my_day["visits"]), 1)
        self.assertEqual(len(my_day["reportsDue"]), 1)
        self.assertIn("followUpsDue", my_day)
        self.assertEqual(len(self.as_user("rep6").get("/team-day").json["reps"]), 1)

    def test_team_day_summary_view_counts_per_rep(self):
        rep6 = self.as_user("rep6")
        customer = self.customer(rep6)
        self.check_in(rep6, customerId=customer, accuracyM=700)
        self.check_in(rep6, customerId=customer, kind="out")
        mgr2 = self.as_user("mgr2")
        full = self.assertStatus(mgr2.get("/team-day"), 200).json
        summary = self.assertStatus(mgr2.get("/team-day", {"view": "summary"}), 200).json
        self.assertEqual((full["view"], summary["view"]), ("full", "summary"))
        self.assertEqual(summary["summary"], full["summary"])
        self.assertEqual([r["repId"] for r in summary["reps"]], [r["repId"] for r in full["reps"]])
        for listed, counted in zip(full["reps"], summary["reps"]):
            self.assertNotIn("checkIns", counted)
            self.assertNotIn("visits", counted)
            self.assertEqual(counted["checkInCount"], len(listed["checkIns"]))
            self.assertEqual(counted["visitCount"], len(listed["visits"]))
            for key in ("checkInCount", "visitCount", "firstCheckInAt", "lastCheckInAt", "reportsPending",
                        "reportsLate", "flagCounts", "unitId", "repName"):
                self.assertEqual(counted[key], listed[key], key)
            # R-VISIT-58: the summary names each unit once, in `units`, not per rep.
            self.assertNotIn("unitName", counted)
        self.assertEqual(summary["units"], full["units"])
        units = {unit["id"]: unit["name"] for unit in summary["units"]}
        self.assertEqual(len(units), len(summary["units"]), "each unit once")
        for listed in full["reps"]:
            self.assertEqual(units[listed["unitId"]], listed["unitName"])
        entry = next(rep for rep in summary["reps"] if rep["repName"] == "黄婷")
        self.assertGreaterEqual(entry["checkInCount"], 2)
        self.assertGreaterEqual(entry["flagCounts"]["poor_accuracy"], 1)
        self.assertStatus(mgr2.get("/team-day", {"view": "rows"}), 422, "validation.failed")
        east = self.unit_by_name("华东一组")["id"]
        self.assertStatus(mgr2.get("/team-day", {"unitId": east, "view": "summary"}), 404, "visits.not_found")

    def test_unit_filter_narrows_visits_and_follow_ups_within_the_scope(self):
        rep6 = self.as_user("rep6")  # 华南组, managed by mgr2
        customer = self.customer(rep6)
        visit = self.check_in(rep6, customerId=customer)["visitId"]
        later = (shanghai_date() + datetime.timedelta(days=3)).isoformat()
        item = self.assertStatus(rep6.post("/follow-up-items", {
            "customerId": customer, "title": "单位筛选", "dueOn": later}), 201).json["id"]
        south, east = self.unit_by_name("华南组")["id"], self.unit_by_name("华东一组")["id"]

        def visit_ids(client, unit):
            return [v["id"] for v in self.assertStatus(client.get("/visits", {"unitId": unit, "limit": 100}), 200)
                    .json["items"]]

        def item_ids(client, unit):
            return [i["id"] for i in self.assertStatus(
                client.get("/follow-up-items", {"unitId": unit, "limit": 100}), 200).json["items"]]

        mgr2, gm = self.as_user("mgr2"), self.as_user("gm")
        self.assertIn(visit, visit_ids(mgr2, south))
        self.assertIn(item, item_ids(mgr2, south))
        self.assertIn(visit, visit_ids(gm, south))
        self.assertNotIn(visit, visit_ids(gm, east))
        self.assertNotIn(item, item_ids(gm, east))
        # Every visit the GM sees in the east team is by a rep of that team.
        east_reps = {r["repId"] for r in gm.get("/team-day", {"unitId": east}).json["reps"]}
        self.assertTrue(all(v["repId"] in east_reps for v in gm.get("/visits", {"unitId": east}).json["items"]))
        # Outside the scope, unknown, or with an `own` scope: not found, never a wider list.
        self.assertStatus(mgr2.get("/visits", {"unitId": east}), 404, "visits.not_found")
        self.assertStatus(mgr2.get("/follow-up-items", {"unitId": east}), 404, "visits.not_found")
        self.assertStatus(gm.get("/visits", {"unitId": "999999"}), 404, "visits.not_found")
        self.assertStatus(rep6.get("/follow-up-items", {"unitId": south}), 404, "visits.not_found")
        self.assertStatus(gm.get("/visits", {"unitId": "abc"}), 422, "validation.failed")

    def test_pin_an_unpinned_customer_from_an_accurate_check_in(self):
        rep5 = self.as_user("rep5")
        customer = self.customer(rep5, pinned=False)
        check_in = self.check_in(rep5, customerId=customer, accuracyM=10)
        self.assertEqual(check_in["geofence"], "unknown")
        self.assertIn("no_customer_location", check_in["flags"])
        # Someone else's check-in: the manager in scope is refused, an outsider does not see it.
        self.assertStatus(self.as_user("mgr2").post("/check-ins/%s/pin-customer" % check_in["id"]), 403,
                          "visits.not_your_check_in")
        self.assertStatus(self.as_user("rep1").post("/check-ins/%s/pin-customer" % check_in["id"]), 404,
                          "visits.not_found")
        pinned = self.assertStatus(rep5.post("/check-ins/%s/pin-customer" % check_in["id"]), 200).json
        self.assertEqual(pinned["customerId"], customer)
        self.assertEqual((pinned["location"]["lat"], pinned["location"]["lng"]),
                         (check_in["location"]["lat"], check_in["location"]["lng"]))
        location = self.assertStatus(rep5.get("/customers/%s" % customer), 200).json["location"]
        self.assertEqual((location["lat"], location["lng"]), (check_in["location"]["lat"], check_in["location"]["lng"]))
        self.assertStatus(rep5.post("/check-ins/%s/pin-customer" % check_in["id"]), 409, "visits.customer_pinned")
        audit = self.assertStatus(self.admin().get("/audit", {"entity": "check_in", "entityId": check_in["id"]}),
                                  200).json["items"]
        self.assertIn("check_in.pin_customer", [entry["action"] for entry in audit])
        # A vague fix (80 m, above visits.pin_max_accuracy_m = 50) pins nothing.
        other = self.customer(rep5, pinned=False)
        vague = self.check_in(rep5, customerId=other, accuracyM=80)
        self.assertStatus(rep5.post("/check-ins/%s/pin-customer" % vague["id"]), 409, "visits.pin_untrusted")
        self.assertIsNone(rep5.get("/customers/%s" % other).json["location"])
        self.assertStatus(rep5.post("/check-ins/999999999/pin-customer"), 404, "visits.not_found")

    def test_check_in_list_scopes(self):
        rep4 = self.as_user("rep4")
        self.check_in(rep4, place="office")
        mine = self.assertStatus(rep4.get("/check-ins"), 200).json["items"]
        self.assertGreaterEqual(len(mine), 1)
        rep4_id = rep4.user_id
        self.assertEqual(len(self.as_user("mgr2").get("/check-ins", {"repId": rep4_id}).json["items"]), len(mine))
        self.assertStatus(self.as_user("mgr1").get("/check-ins", {"repId": rep4_id}), 404, "visits.not_found")
        self.assertStatus(self.as_user("rep5").get("/check-ins", {"repId": rep4_id}), 404, "visits.not_found")


if __name__ == "__main__":
    unittest.main()
