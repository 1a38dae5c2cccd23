"""Customer attachments (docs/api-customers.md, "Attachments"; R-CUST-26..30, 51): upload of
the raw file, type by content, size policy, download with the RFC 5987 name, scope (404
outside), soft delete with audit, merge and its reversal, the detail and the timeline, and
the purge of deleted files by `tuoke jobs run attachment-purge`, and the sweep of stored bytes
that no row names by `tuoke jobs run blob-sweep` (R-CUST-60)."""

import hashlib
import os
import re
import subprocess
import time
import unittest
import urllib.parse

from harness import BACKEND, ServerTestCase, shanghai_date, unique

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


class CustomerAttachmentApiTests(ServerTestCase):

    def create(self, client, name):
        body = {"name": name, "type": "distributor", "acknowledgeDuplicates": True}
        return self.assertStatus(client.post("/customers", body), 201).json

    def upload(self, client, customer_id, data, file_name="平面图.png", kind="floor_plan",
               content_type="image/png", **query):
        return client.request("POST", "/customers/%s/attachments" % customer_id, raw=data,
                              query=dict(kind=kind, fileName=file_name, **query),
                              headers={"Content-Type": content_type})

    def test_upload_list_download_delete(self):
        rep1 = self.as_user("rep1")
        customer = self.create(rep1, unique("北京凌天商贸有限公司"))
        added = self.assertStatus(self.upload(rep1, customer["id"], PNG, note="一楼"), 201).json
        self.assertEqual((added["kind"], added["fileName"], added["contentType"], added["sizeBytes"], added["note"]),
                         ("floor_plan", "平面图.png", "image/png", len(PNG), "一楼"))
        self.assertEqual(added["uploadedByName"], "张伟")

        listed = self.assertOk(rep1.get("/customers/%s/attachments" % customer["id"])).json["items"]
        self.assertEqual([item["id"] for item in listed], [added["id"]])
        detail = self.assertOk(rep1.get("/customers/%s" % customer["id"])).json
        self.assertEqual([item["id"] for item in detail["attachments"]], [added["id"]])
        timeline = self.assertOk(rep1.get("/customers/%s/timeline" % customer["id"])).json["items"]
        self.assertEqual(timeline[0]["kind"], "attachment_added")

        download = self.assertOk(rep1.get(added["downloadUrl"]))
        self.assertEqual(download.body, PNG)
        self.assertEqual(download.headers["content-type"], "image/png")
        disposition = download.headers["content-disposition"]
        self.assertTrue(disposition.startswith("attachment;"))
        encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
        self.assertEqual(urllib.parse.unquote(encoded), "平面图.png")
        self.assertEqual(download.headers["x-content-type-options"], "nosniff")
        inline = self.assertOk(rep1.get(added["downloadUrl"], {"disposition": "inline"}))
        self.assertTrue(inline.headers["content-disposition"].startswith("inline;"))

        self.assertStatus(rep1.delete("/customer-attachments/%s" % added["id"]), 204)
        self.assertEqual(self.assertOk(rep1.get("/customers/%s/attachments" % customer["id"])).json["items"], [])
        self.assertStatus(rep1.get(added["downloadUrl"]), 404, "customers.not_found")
        entries = self.assertOk(self.admin().get("/audit", {"action": "customer.attachment_delete", "limit": 1})).json
        self.assertEqual(entries["items"][0]["before"]["id"], added["id"])

    def test_type_is_sniffed_and_size_is_a_policy(self):
        rep1 = self.as_user("rep1")
        customer = self.create(rep1, unique("上海东方建材"))
        before = len(self.assertOk(rep1.get("/customers/%s/attachments" % customer["id"])).json["items"])
        self.assertStatus(self.upload(rep1, customer["id"], b"<html><script>alert(1)</script>",
                                      content_type="image/png"), 422, "customers.attachment_type")
        mismatch = self.assertStatus(self.upload(rep1, customer["id"], PDF, content_type="image/png"), 422,
                                     "customers.attachment_type_mismatch")
        self.assertEqual(mismatch.details["detected"], "application/pdf")
        self.assertStatus(self.upload(rep1, customer["id"], PNG, kind="selfie"), 422, "validation.failed")
        self.assertStatus(self.upload(rep1, customer["id"], PNG, file_name=""), 422, "validation.failed")
        self.assertStatus(self.upload(rep1, customer["id"], b""), 422, "validation.failed")
        self.assertEqual(len(self.assertOk(rep1.get("/customers/%s/attachments" % customer["id"])).json["items"]),
                         before)
        # Octet-stream is judged by its content alone.
        pdf = self.assertStatus(self.upload(rep1, customer["id"], PDF, file_name="执照.pdf", kind="licence",
                                            content_type="application/octet-stream"), 201).json
        self.assertEqual(pdf["contentType"], "application/pdf")

        policy = self.assertOk(self.admin().get("/policies/customers.attachment_max_bytes")).json
        self.assertEqual(policy["value"], 10 * 1024 * 1024)
        big = PNG + b"x" * (10 * 1024 * 1024)
        too_large = self.assertStatus(self.upload(rep1, customer["id"], big), 413, "customers.attachment_too_large")
        self.assertEqual(too_large.details["limit"], 10 * 1024 * 1024)
        # Beyond the route's own limit the server refuses before reading it as a file.
        self.assertStatus(self.upload(rep1, customer["id"], PNG + b"x" * (20 * 1024 * 1024)), 413,
                          "request.body_too_large")

    def test_scope_is_the_customers(self):
        rep1 = self.as_user("rep1")
        customer = self.create(rep1, unique("广州南方五金"))
        added = self.assertStatus(self.upload(rep1, customer["id"], PNG), 201).json
        for login in ("rep2", "rep4", "mgr2"):
            with self.subTest(login=login):
                outsider = self.as_user(login)
                self.assertStatus(outsider.get(added["downloadUrl"]), 404, "customers.not_found")
                self.assertStatus(outsider.get("/customers/%s/attachments" % customer["id"]), 404)
                self.assertStatus(outsider.delete("/customer-attachments/%s" % added["id"]), 404)
                self.assertStatus(self.upload(outsider, customer["id"], PNG), 404)
        self.assertEqual(self.assertOk(self.as_user("mgr1").get(added["downloadUrl"])).body, PNG)
        # Finance reads customers but may not write: no upload, no delete.
        self.assertStatus(self.upload(self.as_user("finance"), customer["id"], PNG), 403)
        self.assertStatus(self.as_user("finance").delete("/customer-attachments/%s" % added["id"]), 403)
        self.assertStatus(self.as_user("rep1").get("/customer-attachments/99999999/content"), 404)

    def test_merge_moves_attachments_and_reversal_moves_them_back(self):
        rep1, mgr1 = self.as_user("rep1"), self.as_user("mgr1")
        survivor = self.create(rep1, unique("杭州青禾建材"))
        merged = self.create(rep1, unique("杭州青禾贸易"))
        added = self.assertStatus(self.upload(rep1, merged["id"], PDF, file_name="执照.pdf", kind="licence",
                                              content_type="application/pdf"), 201).json
        record = self.assertStatus(mgr1.post("/customers/merge", {"survivorId": survivor["id"],
                                                                  "mergedId": merged["id"], "reason": "same"}), 201).json
        self.assertEqual(record["moved"]["attachments"], [added["id"]])
        self.assertEqual([a["id"] for a in self.assertOk(rep1.get("/customers/%s" % survivor["id"])).json["attachments"]],
                         [added["id"]])
        self.assertOk(rep1.get(added["downloadUrl"]))
        self.assertStatus(mgr1.post("/customers/merges/%s/reverse" % record["id"], {"reason": "no"}), 201)
        self.assertEqual(self.assertOk(rep1.get("/customers/%s" % survivor["id"])).json["attachments"], [])
        self.assertEqual([a["id"] for a in self.assertOk(rep1.get("/customers/%s" % merged["id"])).json["attachments"]],
                         [added["id"]])


    def test_deleted_files_are_purged_by_the_job_after_the_retention(self):
        rep1, gm = self.as_user("rep1"), self.as_user("gm")
        customer = self.create(rep1, unique("广州天河商贸"))
        data = PNG + unique("purge").encode()
        added = self.assertStatus(self.upload(rep1, customer["id"], data), 201).json
        sha = hashlib.sha256(data).hexdigest()
        self.assertEqual(added["sha256"], sha)
        self.assertStatus(rep1.delete("/customer-attachments/%s" % added["id"]), 204)

        def stored():
            if BACKEND == "sqlite":
                return os.path.exists(os.path.join(self.server.tempdir, "attachments", sha[:2], sha))
            return self.psql("SELECT count(*) FROM stored_blobs WHERE sha256 = '%s'" % sha) == "1"

        def purge():
            result = self.run_job("attachment-purge")
            self.assertRegex(result.stdout, r"attachment-purge: \d+ deleted attachments past their retention, "
                                            r"\d+ files removed")

        # Within the default 30 days the file stays.
        purge()
        self.assertTrue(stored())
        # Retention 0: due now, but the upload touched the bytes minutes ago (an upload of the
        # same bytes may not have committed yet): they stay until the touch is old.
        self.assertStatus(gm.post("/policies/customers.deleted_attachment_retention_days/versions", {
            "value": 0, "effectiveFrom": shanghai_date().isoformat(), "note": "test"}), 201)
        purge()
        self.assertTrue(stored())
        if BACKEND == "sqlite":
            path = os.path.join(self.server.tempdir, "attachments", sha[:2], sha)
            an_hour_ago = time.time() - 3600
            os.utime(path, (an_hour_ago, an_hour_ago))
        else:
            self.psql("UPDATE stored_blobs SET touched_at = NULL WHERE sha256 = '%s'" % sha)
        purge()
        self.assertFalse(stored())
        entries = self.assertOk(self.admin().get("/audit", {"action": "customer.attachment_purge",
                                                            "limit": 100})).json["items"]
        mine = [entry for entry in entries if entry["before"]["attachmentId"] == added["id"]]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["before"]["fileName"], "平面图.png")
        self.assertEqual(mine[0]["after"], {"bytesRemoved": True})
        self.assertEqual(mine[0]["entityId"], customer["id"])

    def test_bytes_no_row_names_are_swept_by_the_job(self):
        rep1 = self.as_user("rep1")
        customer = self.create(rep1, unique("厦门思明贸易"))
        kept_bytes = PNG + unique("kept").encode()
        kept = self.assertStatus(self.upload(rep1, customer["id"], kept_bytes), 201).json
        # The bytes of an upload whose row was rolled back, stored two days ago.
        lost = PNG + unique("lost").encode()
        sha = hashlib.sha256(lost).hexdigest()
        if BACKEND == "sqlite":
            path = os.path.join(self.server.tempdir, "attachments", sha[:2], sha)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as file:
                file.write(lost)
            two_days_ago = time.time() - 2 * 86400
            os.utime(path, (two_days_ago, two_days_ago))
            stored = lambda: os.path.exists(path)  # noqa: E731
        else:
            self.psql("INSERT INTO stored_blobs (sha256, size_bytes, content, touched_at) VALUES "
                      "('%s', %d, decode('%s', 'hex'), '2020-01-01T00:00:00.000Z')" % (sha, len(lost), lost.hex()))
            stored = lambda: self.psql("SELECT count(*) FROM stored_blobs WHERE sha256 = '%s'" % sha) == "1"  # noqa: E731
        self.assertTrue(stored())
        result = self.run_job("blob-sweep")
        self.assertRegex(result.stdout, r"blob-sweep: \d+ contents untouched for a day, [1-9]\d* of them named by "
                                        r"no row removed \(\d+ bytes\)")
        self.assertFalse(stored())
        self.assertEqual(self.assertOk(rep1.get(kept["downloadUrl"])).body, kept_bytes)
        entries = self.assertOk(self.admin().get("/audit", {"action": "blob.sweep", "limit": 100})).json["items"]
        mine = [entry for entry in entries if entry["entityId"] == sha]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["before"], {"storage": "disk" if BACKEND == "sqlite" else "database",
                                             "sizeBytes": len(lost)})

    def run_job(self, job):
        """`tuoke jobs run JOB`, again while the server's own run holds the lease (moments)."""
        for _ in range(50):
            result = self.server.cli("jobs", "run", job)
            self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
            if "skipped" not in result.stdout:
                return result
            time.sleep(0.1)
        self.fail("the job lease of %s stayed taken" % job)

    def psql(self, sql):
        url = self.server.db_args[1]
        return subprocess.run(["psql", url, "-qAt", "-c", sql], check=True, capture_output=True,
                              text=True).stdout.strip()


if __name__ == "__main__":
    unittest.main()
