#include "store/model.h"

#include <gtest/gtest.h>

namespace campaignd::store {
namespace {

// Every enumerator round-trips through its name, and the names are the
// spellings of behaviour.md §1 and the schema's CHECK constraints.
template <typename E, typename ParseFn>
void ExpectRoundTrip(std::initializer_list<std::pair<E, std::string_view>> rows, ParseFn parse) {
  for (const auto& [value, name] : rows) {
    EXPECT_EQ(Name(value), name);
    EXPECT_EQ(parse(name), value) << name;
  }
}

TEST(ModelTest, ListKindNames) {
  ExpectRoundTrip<ListKind>({{ListKind::kStandard, "standard"},
                             {ListKind::kOptIn, "optin"},
                             {ListKind::kTransaction, "transaction"}},
                            ParseListKind);
  EXPECT_FALSE(ParseListKind("Standard"));
  EXPECT_FALSE(ParseListKind(""));
}

TEST(ModelTest, MailingTypeNames) {
  ExpectRoundTrip<MailingType>({{MailingType::kRegular, "regular"},
                                {MailingType::kEvent, "event"},
                                {MailingType::kConfirmation, "confirmation"},
                                {MailingType::kTemplate, "template"}},
                               ParseMailingType);
  EXPECT_FALSE(ParseMailingType("EVENT"));
}

TEST(ModelTest, MailingStatusNames) {
  ExpectRoundTrip<MailingStatus>({{MailingStatus::kNew, "NEW"},
                                  {MailingStatus::kSending, "SENDING"},
                                  {MailingStatus::kPaused, "PAUSED"},
                                  {MailingStatus::kDone, "DONE"},
                                  {MailingStatus::kCanceled, "CANCELED"}},
                                 ParseMailingStatus);
  EXPECT_FALSE(ParseMailingStatus("sending"));
}

TEST(ModelTest, RecipientStateNames) {
  ExpectRoundTrip<RecipientState>({{RecipientState::kActive, "active"},
                                   {RecipientState::kUnsubscribed, "unsubscribed"},
                                   {RecipientState::kPending, "pending"}},
                                  ParseRecipientState);
  EXPECT_FALSE(ParseRecipientState("deleted"));
}

}  // namespace
}  // namespace campaignd::store
