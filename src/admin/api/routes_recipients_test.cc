// Lists, fields and recipients: single, bulk, CSV import and export.
#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

class RecipientRoutesTest : public AdminApiTest {
 protected:
  const std::string list_ = "/admin/v1/clients/1/lists/10";
};

TEST_F(RecipientRoutesTest, ListsAndFieldsValidateAndChange) {
  TestReply created = As1("POST", "/admin/v1/clients/1/lists",
                          {{"name", "shop"}, {"kind", "optin"},
                           {"fields", {{{"name", "Zip"}, {"type", "text"}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["fields"][0]["name"], "zip");
  EXPECT_EQ(As1("POST", "/admin/v1/clients/1/lists", {{"name", "x"}, {"kind", "weird"}}).status, 422);
  EXPECT_EQ(As1("POST", "/admin/v1/clients/1/lists",
                {{"name", "x"}, {"fields", {{{"name", "a"}, {"type", "blob"}}}}})
                .status,
            422);
  EXPECT_EQ(As1("POST", "/admin/v1/clients/1/lists", {{"id", 10}, {"name", "dup"}}).status, 409);
  EXPECT_EQ(As1("POST", list_ + "/fields", {{"name", "city"}, {"type", "text"}}).status, 201);
  TestReply fields = As1("GET", list_ + "/fields");
  EXPECT_EQ(fields.json["items"].size(), 3u);
  EXPECT_EQ(As1("DELETE", list_ + "/fields/city").status, 204);
  EXPECT_EQ(As1("DELETE", list_ + "/fields/city").status, 404);
  EXPECT_EQ(As1("PATCH", list_, {{"name", "renamed"}}).json["name"], "renamed");
  EXPECT_EQ(As1("DELETE", list_).status, 409);  // mailing 100 uses it
  EXPECT_EQ(As1("DELETE", "/admin/v1/clients/1/lists/11").status, 204);
}

TEST_F(RecipientRoutesTest, SingleRecipientsAreCheckedAgainstTheSchema) {
  TestReply added = As1("POST", list_ + "/recipients",
                        {{"recipient_id", "New@Example.com"}, {"fields", {{"orders", "3"}}}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["recipient_id"], "new@example.com");
  EXPECT_EQ(As1("GET", list_ + "/recipients/NEW@example.com").json["fields"]["orders"], "3");
  EXPECT_EQ(As1("POST", list_ + "/recipients", {{"recipient_id", "not an address"}}).status, 422);
  EXPECT_EQ(As1("POST", list_ + "/recipients",
                {{"recipient_id", "x@example.com"}, {"fields", {{"orders", "many"}}}})
                .status,
            422);
  EXPECT_EQ(As1("POST", list_ + "/recipients",
                {{"recipient_id", "x@example.com"}, {"fields", {{"unknown", "1"}}}})
                .status,
            422);
  EXPECT_EQ(As1("PUT", list_ + "/recipients/new@example.com", {{"state", "unsubscribed"}})
                .json["state"],
            "unsubscribed");
  EXPECT_EQ(As1("DELETE", list_ + "/recipients/new@example.com").status, 204);
  EXPECT_EQ(As1("GET", list_ + "/recipients/new@example.com").status, 404);
}

// The field-value rules of core/field_value.h (docs/decisions/0016) on the
// admin API: the stored text, or 422 with the message naming the field.
TEST_F(RecipientRoutesTest, FieldValuesFollowTheOneSetOfFieldRules) {
  nlohmann::json types = nlohmann::json::array();
  for (auto [name, type] : {std::pair{"n", "int"},
                            {"d", "decimal"},
                            {"b", "bool"},
                            {"day", "date"},
                            {"at", "datetime"}}) {
    types.push_back({{"name", name}, {"type", type}});
  }
  TestReply created =
      As1("POST", "/admin/v1/clients/1/lists", {{"id", 20}, {"name", "typed"}, {"fields", types}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string list = "/admin/v1/clients/1/lists/20";
  int next = 0;
  // The stored value, or the 422 message.
  auto store = [&](const std::string& field, const std::string& value) -> std::string {
    const std::string id = "r" + std::to_string(++next) + "@example.com";
    TestReply r =
        As1("POST", list + "/recipients", {{"recipient_id", id}, {"fields", {{field, value}}}});
    if (r.status == 422) return r.json["error"]["message"].get<std::string>();
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["fields"][field].get<std::string>();
  };
  EXPECT_EQ(store("n", "+7"), "7");
  EXPECT_EQ(store("n", "4.5"), "field 'n': expected an integer (field type int)");
  EXPECT_EQ(store("n", "1000000000000000000"), "field 'n': expected an integer (field type int)");
  EXPECT_EQ(store("d", "+1.5"), "1.5");
  EXPECT_EQ(store("d", "1,5"), "field 'd': expected a number like 19.90 (field type decimal)");
  EXPECT_EQ(store("b", "false"), "false");
  EXPECT_EQ(store("b", "yes"), "field 'b': expected true or false (field type bool)");
  EXPECT_EQ(store("day", "2024-02-29"), "2024-02-29");
  EXPECT_EQ(store("day", "2024-02-31"),
            "field 'day': expected a date YYYY-MM-DD (field type date)");
  const std::string datetime =
      "field 'at': expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
  EXPECT_EQ(store("at", "2024-05-01 12:30"), "2024-05-01T12:30");
  EXPECT_EQ(store("at", "2024-05-01t12:30:59z"), "2024-05-01T12:30:59Z");
  EXPECT_EQ(store("at", "2024-05-01T12:30:59.5Z"), datetime);  // no fractional seconds
  EXPECT_EQ(store("at", "2024-02-31T10:00"), datetime);
  EXPECT_EQ(store("n", ""), "");  // no value

  // The CSV import checks each row by the same rules.
  TestReply imported =
      Raw("POST", list + "/recipients/import", key1_,
          "email,day,at\nok@example.com,2024-02-29,2024-05-01T12:30:00Z\n"
          "bad@example.com,2024-02-31,\nfrac@example.com,,2024-05-01T12:30:00.25Z\n",
          "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json["stored"], 1);
  EXPECT_EQ(imported.json["rejected"], 2);
}

TEST_F(RecipientRoutesTest, BulkIsAllOrNothing) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) items.push_back({{"recipient_id", "b" + std::to_string(i) + "@example.com"}});
  items.push_back({{"recipient_id", "broken"}});
  TestReply refused = As1("POST", list_ + "/recipients/bulk", {{"items", items}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.json["error"]["message"].get<std::string>().find("items[20]"), std::string::npos);
  EXPECT_EQ(As1("GET", list_ + "/recipients/b1@example.com").status, 404);
  items.erase(items.size() - 1);
  TestReply stored = As1("POST", list_ + "/recipients/bulk", {{"items", items}});
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json["stored"], 20);
  EXPECT_EQ(As1("GET", list_ + "/recipients?limit=1000").json["items"].size(), 21u);
}

TEST_F(RecipientRoutesTest, CsvImportStoresGoodRowsAndReportsBadOnes) {
  std::string csv = "email,FirstName,orders,state\n";
  for (int i = 0; i < 12000; ++i) {
    csv += "user" + std::to_string(i) + "@example.com,\"Name, " + std::to_string(i) + "\"," +
           std::to_string(i) + ",active\n";
  }
  csv += "not-an-address,x,1,active\nbad@example.com,x,notanint,\nshort@example.com\n";
  TestReply imported = Raw("POST", list_ + "/recipients/import", key1_, csv, "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json["rows"], 12003);
  EXPECT_EQ(imported.json["stored"], 12000);
  EXPECT_EQ(imported.json["rejected"], 3);
  EXPECT_EQ(imported.json["errors"][0]["row"], 12002);
  TestReply one = As1("GET", list_ + "/recipients/user77@example.com");
  EXPECT_EQ(one.json["fields"]["firstname"], "Name, 77");

  TestReply exported = Raw("GET", list_ + "/recipients/export", key1_, "", "");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.content_type, "text/csv; charset=utf-8");
  EXPECT_TRUE(exported.body.starts_with("email,state,firstname,orders\r\n"));
  EXPECT_NE(exported.body.find("user77@example.com,active,\"Name, 77\",77\r\n"), std::string::npos);
  EXPECT_EQ(std::count(exported.body.begin(), exported.body.end(), '\n'), 12002);  // + header + a@
}

TEST_F(RecipientRoutesTest, CsvImportRefusesUnknownColumnsAndOtherTypes) {
  TestReply unknown = Raw("POST", list_ + "/recipients/import", key1_, "email,shoe\na@x.example,1\n",
                          "text/csv");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(Raw("POST", list_ + "/recipients/import", key1_, "name\nx\n", "text/csv").status, 422);
  EXPECT_EQ(Raw("POST", list_ + "/recipients/import", key1_, "", "text/csv").status, 422);
  EXPECT_EQ(Raw("POST", list_ + "/recipients/import", key1_, "email\n", "application/json").status,
            415);
  EXPECT_EQ(Raw("POST", list_ + "/recipients/import", key1_, "email\n\"open", "text/csv").status,
            422);
}

TEST_F(RecipientRoutesTest, CsvImportReadsAStreamedBody) {
  AdminRequest request{.method = "POST", .target = list_ + "/recipients/import",
                       .authorization = "Bearer " + key1_, .content_type = "text/csv"};
  int calls = 0;
  request.body_reader = [&calls]() -> Result<std::string> {
    ++calls;
    if (calls == 1) return std::string("email\nstre");
    if (calls == 2) return std::string("amed@example.com\n");
    return std::string();
  };
  AdminResponse response = HandleAdmin(request, *context_);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(As1("GET", list_ + "/recipients/streamed@example.com").status, 200);
}

}  // namespace
}  // namespace campaignd::admin::api
