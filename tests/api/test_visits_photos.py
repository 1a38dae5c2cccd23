"""Check-in photos through the blob store of customer attachments (R-VISIT-39,
docs/api-visits.md "Check-ins"): upload with a check-in, read back byte for byte, the
size policy and the type by content; on SQLite the bytes are a file named by their hash
beside the database, on PostgreSQL they are in the database (the default store)."""

import base64
import hashlib
import os
import unittest
import uuid

from harness import BACKEND, ServerTestCase
from test_field_visits import LAT, LNG, now_text


def data_url(content_type, data):
    return "data:%s;base64,%s" % (content_type, base64.b64encode(data).decode())


class CheckInPhotoApiTests(ServerTestCase):

    def check_in(self, client, **fields):
        body = {"clientId": str(uuid.uuid4()), "kind": "in", "place": "office", "lat": LAT, "lng": LNG,
                "accuracyM": 15, "capturedAt": now_text(-1)}
        body.update(fields)
        return client.post("/check-ins", body)

    def test_photo_is_stored_by_hash_and_read_back(self):
        rep = self.as_user("rep3")
        png = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
        created = self.assertStatus(self.check_in(rep, photo=data_url("image/png", png)), 201).json
        self.assertTrue(created["hasPhoto"])
        photo = self.assertStatus(rep.get("/check-ins/%s/photo" % created["id"]), 200)
        self.assertEqual(photo.body, png)
        self.assertEqual(photo.headers["content-type"], "image/png")
        # The rep's manager reads it too; a rep of another team does not see it.
        self.assertEqual(self.as_user("mgr1").get("/check-ins/%s/photo" % created["id"]).body, png)
        self.assertStatus(self.as_user("rep4").get("/check-ins/%s/photo" % created["id"]), 404, "visits.not_found")
        # A check-in without a photo has none.
        plain = self.assertStatus(self.check_in(rep), 201).json
        self.assertFalse(plain["hasPhoto"])
        self.assertStatus(rep.get("/check-ins/%s/photo" % plain["id"]), 404, "visits.not_found")
        if BACKEND == "sqlite":
            sha = hashlib.sha256(png).hexdigest()
            stored = os.path.join(self.server.tempdir, "attachments", sha[:2], sha)
            self.assertTrue(os.path.isfile(stored), "the disk store beside the SQLite file")
            with open(stored, "rb") as f:
                self.assertEqual(f.read(), png)
        # The same bytes with another check-in: served again (stored once).
        again = self.assertStatus(self.check_in(rep, photo={"contentType": "image/png",
                                                            "data": base64.b64encode(png).decode()}), 201).json
        self.assertEqual(rep.get("/check-ins/%s/photo" % again["id"]).body, png)

    def photo_count(self, client):
        return sum(1 for item in client.get("/check-ins").json["items"] if item["hasPhoto"])

    def test_size_and_type_limits(self):
        rep = self.as_user("rep3")
        photos_before = self.photo_count(rep)
        # visits.checkin_photo_max_kb: 512 KB by default.
        large = b"\xff\xd8\xff\xe0" + b"\x00" * (512 * 1024 - 3)
        response = self.check_in(rep, photo=data_url("image/jpeg", large))
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("512 KB", response.fields["photo"])
        at_limit = large[:512 * 1024]
        self.assertStatus(self.check_in(rep, photo=data_url("image/jpeg", at_limit)), 201)
        # The content decides the type: a GIF, a script, a JPEG declared as PNG.
        for content_type, data, message in (
                ("image/png", b"GIF89a" + b"\x00" * 50, "content is not a JPEG or PNG image"),
                ("image/jpeg", b"<script>alert(1)</script>", "content is not a JPEG or PNG image"),
                ("image/png", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "content does not match image/png")):
            response = self.check_in(rep, photo=data_url(content_type, data))
            self.assertStatus(response, 422, "validation.failed")
            self.assertEqual(response.fields["photo"], message)
        response = self.check_in(rep, photo=data_url("image/gif", b"GIF89a" + b"\x00" * 50))
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("photo", response.fields)
        # Of all these, only the photo at the limit was stored with its check-in.
        self.assertEqual(self.photo_count(rep), photos_before + 1)


if __name__ == "__main__":
    unittest.main()
