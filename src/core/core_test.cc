#include <gtest/gtest.h>

#include "core/json_util.h"
#include "core/text.h"
#include "core/time.h"

namespace tuoke {
namespace {

TEST(TimeTest, FormatsAndParsesInstantsInUtc) {
  auto instant = ParseInstant("2026-11-22T03:04:05.123Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(FormatInstant(*instant), "2026-11-22T03:04:05.123Z");
  EXPECT_EQ(FormatInstant(*ParseInstant("2026-11-22T03:04:05Z")), "2026-11-22T03:04:05.000Z");
  EXPECT_EQ(FormatInstant(*ParseInstant("2026-11-22T03:04:05.5Z")), "2026-11-22T03:04:05.500Z");
  EXPECT_FALSE(ParseInstant("2026-11-22 03:04:05"));
  EXPECT_FALSE(ParseInstant("2026-11-22T03:04:05+08:00"));
  EXPECT_FALSE(ParseInstant("2026-02-30T03:04:05Z"));
}

TEST(TimeTest, DatesAreStrictCalendarDates) {
  EXPECT_TRUE(ParseDate("2024-02-29"));
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2026-13-01"));
  EXPECT_FALSE(ParseDate("2026-1-01"));
  EXPECT_FALSE(ParseDate("26-01-01"));
  EXPECT_EQ(FormatDate(*ParseDate("2026-01-09")), "2026-01-09");
}

TEST(TimeTest, BusinessDateFollowsTheCompanyZone) {
  // 2026-11-22 17:30 UTC is already 23 November in Shanghai (UTC+8).
  auto instant = *ParseInstant("2026-11-22T17:30:00Z");
  EXPECT_EQ(FormatDate(BusinessDate(instant, "Asia/Shanghai")), "2026-11-23");
  EXPECT_EQ(FormatDate(BusinessDate(instant, "UTC")), "2026-11-22");
  EXPECT_EQ(FormatInstant(StartOfBusinessDate(*ParseDate("2026-11-23"), "Asia/Shanghai")),
            "2026-11-22T16:00:00.000Z");
}

TEST(JsonReaderTest, RejectsUnknownFieldsAndWrongTypesTogether) {
  JsonReader reader(Json::parse(R"({"name": 5, "extra": true, "age": 3})"));
  reader.String("name", 1, 10);
  reader.Int("age", 0, 150);
  try {
    reader.Finish();
    FAIL() << "expected validation.failed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "validation.failed");
    EXPECT_EQ(error.details()["fields"]["name"], "must be a string");
    EXPECT_EQ(error.details()["fields"]["extra"], "unknown field");
    EXPECT_FALSE(error.details()["fields"].contains("age"));
  }
}

TEST(JsonReaderTest, TrimsAndBoundsStringsInCodePoints) {
  JsonReader reader(Json::parse(R"({"name": "  北京凌天  ", "long": "一二三四五六"})"));
  EXPECT_EQ(reader.String("name", 1, 4).value(), "北京凌天");
  EXPECT_FALSE(reader.String("long", 1, 5));
  EXPECT_THROW(reader.Finish(), Error);
}

TEST(JsonReaderTest, IdsAcceptStringsAndPositiveNumbers) {
  JsonReader reader(Json::parse(R"({"a": "12", "b": 7, "c": "x1", "d": -3})"));
  EXPECT_EQ(reader.Id("a").value(), 12);
  EXPECT_EQ(reader.Id("b").value(), 7);
  EXPECT_FALSE(reader.Id("c"));
  EXPECT_FALSE(reader.Id("d"));
}

TEST(JsonReaderTest, IdListsAreBoundedAndDistinct) {
  JsonReader reader(Json::parse(
      R"({"a": ["12", 7], "b": [], "c": ["1", "2", "3"], "d": ["4", "x"], "e": ["5", 5], "f": "5"})"));
  EXPECT_EQ(reader.IdList("a", 3).value(), (std::vector<int64_t>{12, 7}));
  EXPECT_FALSE(reader.IdList("b", 3));
  EXPECT_FALSE(reader.IdList("c", 2));
  EXPECT_FALSE(reader.IdList("d", 3));
  EXPECT_FALSE(reader.IdList("e", 3));
  EXPECT_FALSE(reader.IdList("f", 3));
  try {
    reader.Finish();
    FAIL() << "expected validation.failed";
  } catch (const Error& error) {
    const Json& fields = error.details()["fields"];
    EXPECT_FALSE(fields.contains("a"));
    EXPECT_EQ(fields["b"], "must be a list of 1 to 3 ids");
    EXPECT_EQ(fields["c"], "must be a list of 1 to 2 ids");
    EXPECT_EQ(fields["d"], "must hold ids only");
    EXPECT_EQ(fields["e"], "must not repeat an id");
    EXPECT_EQ(fields["f"], "must be a list of 1 to 3 ids");
  }
}

TEST(JsonTest, MalformedBodiesAreBadRequests) {
  EXPECT_THROW(ParseJsonObject("{"), Error);
  EXPECT_THROW(ParseJsonObject("[1,2]"), Error);
  EXPECT_NO_THROW(ParseJsonObject(R"({"a":1})"));
}

TEST(TextTest, CleanTextRejectsControlCharactersAndBadUtf8) {
  EXPECT_TRUE(IsCleanText("张伟 <b>'; DROP TABLE users; --"));
  EXPECT_TRUE(IsCleanText("line\nbreak\ttab"));
  EXPECT_FALSE(IsCleanText(std::string("nul\0byte", 8)));
  EXPECT_FALSE(IsCleanText("bell\x07"));
  EXPECT_FALSE(IsCleanText("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsCleanText("\xED\xA0\x80"));  // UTF-16 surrogate
  EXPECT_FALSE(IsCleanText("\xE5\x8C"));      // truncated
}

TEST(TextTest, UsernamesPhonesAndEmails) {
  EXPECT_TRUE(IsValidUsername("gm"));
  EXPECT_TRUE(IsValidUsername("zhang.wei_2"));
  EXPECT_FALSE(IsValidUsername("2fast"));
  EXPECT_FALSE(IsValidUsername("a"));
  EXPECT_FALSE(IsValidUsername("has space"));
  EXPECT_TRUE(IsPlausiblePhone("13800000001"));
  EXPECT_TRUE(IsPlausiblePhone("+86 21-5555-1234"));
  EXPECT_FALSE(IsPlausiblePhone("call me"));
  EXPECT_TRUE(IsPlausibleEmail("rep1@example.cn"));
  EXPECT_FALSE(IsPlausibleEmail("rep1@example"));
  EXPECT_FALSE(IsPlausibleEmail("a@b@c.cn"));
  EXPECT_EQ(EscapeLike("50%_off\\"), "50\\%\\_off\\\\");
}

}  // namespace
}  // namespace tuoke
