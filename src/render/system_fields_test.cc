#include "render/system_fields.h"

#include <gtest/gtest.h>

namespace campaignd::render {
namespace {

SystemFieldsInput Mail() {
  return {.mail_id = "7K2M-ABC",
          .recipient_id = "jane@example.com",
          .mailing_id = 5000,
          .public_url = "https://campaign.example.net",
          .confirmation = false,
          .confirmation_url = ""};
}

TEST(SystemFieldsTest, SetsTheFieldsOfAMail) {
  FieldValues fields{{"firstname", "Jane"}, {"bmmailid", "from the recipient"}};
  SetSystemFields(Mail(), fields);
  const std::string links = "https://campaign.example.net/http/mail/7K2M-ABC";
  EXPECT_EQ(fields, (FieldValues{{"firstname", "Jane"},
                                 {"bmmailid", "7K2M-ABC"},
                                 {"bmrecipientid", "jane@example.com"},
                                 {"bmmailingid", "5000"},
                                 {"bmunsubscribeurl", links + "/unsubscribe"},
                                 {"bmonlineversionurl", links + "/onlineversion"}}));
  EXPECT_EQ(UnsubscribeUrl(Mail()), links + "/unsubscribe");
}

TEST(SystemFieldsTest, WithoutAMailTheLinksAreEmpty) {
  SystemFieldsInput page = Mail();
  page.mail_id.clear();
  page.confirmation = true;
  page.confirmation_url = "https://www.example.com/thanks";
  FieldValues fields;
  SetSystemFields(page, fields);
  EXPECT_EQ(fields.at("bmmailid"), "");
  EXPECT_EQ(fields.at("bmunsubscribeurl"), "");
  EXPECT_EQ(fields.at("bmonlineversionurl"), "");
  EXPECT_EQ(fields.at("bmoptinurl"), "");
  EXPECT_EQ(fields.at("bmrecipientid"), "jane@example.com");
  EXPECT_EQ(UnsubscribeUrl(page), "");
}

TEST(SystemFieldsTest, AConfirmationMailingGetsItsOptInLink) {
  SystemFieldsInput mail = Mail();
  FieldValues fields;
  SetSystemFields(mail, fields);
  EXPECT_FALSE(fields.contains("bmoptinurl"));  // not a confirmation mailing
  mail.confirmation = true;
  SetSystemFields(mail, fields);
  EXPECT_EQ(fields.at("bmoptinurl"), "https://campaign.example.net/http/mail/7K2M-ABC/subscribe");
  mail.confirmation_url = "https://www.example.com/thanks?a=1&b=ü ~x";
  SetSystemFields(mail, fields);
  EXPECT_EQ(fields.at("bmoptinurl"),
            "https://campaign.example.net/http/mail/7K2M-ABC/subscribe"
            "?bmUrl=https%3A%2F%2Fwww.example.com%2Fthanks%3Fa%3D1%26b%3D%C3%BC%20~x");
}

}  // namespace
}  // namespace campaignd::render
