#include "store/model.h"

#include <array>
#include <utility>

namespace campaignd::store {
namespace {

// One table per enum: the spelling in provisioning files and the database.
template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<ListKind, 3> kListKinds = {{
    {ListKind::kStandard, "standard"},
    {ListKind::kOptIn, "optin"},
    {ListKind::kTransaction, "transaction"},
}};

constexpr NameTable<MailingType, 4> kMailingTypes = {{
    {MailingType::kRegular, "regular"},
    {MailingType::kEvent, "event"},
    {MailingType::kConfirmation, "confirmation"},
    {MailingType::kTemplate, "template"},
}};

constexpr NameTable<MailingStatus, 5> kMailingStatuses = {{
    {MailingStatus::kNew, "NEW"},
    {MailingStatus::kSending, "SENDING"},
    {MailingStatus::kPaused, "PAUSED"},
    {MailingStatus::kDone, "DONE"},
    {MailingStatus::kCanceled, "CANCELED"},
}};

constexpr NameTable<RecipientState, 3> kRecipientStates = {{
    {RecipientState::kActive, "active"},
    {RecipientState::kUnsubscribed, "unsubscribed"},
    {RecipientState::kPending, "pending"},
}};

constexpr NameTable<OptInKind, 3> kOptInKinds = {{
    {OptInKind::kSingle, "single"},
    {OptInKind::kConfirmed, "confirmed"},
    {OptInKind::kDouble, "double"},
}};

template <typename E, std::size_t N>
std::string_view Lookup(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";  // unreachable while every enumerator has a row (model_test)
}

template <typename E, std::size_t N>
std::optional<E> Parse(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(ListKind v) { return Lookup(kListKinds, v); }
std::string_view Name(MailingType v) { return Lookup(kMailingTypes, v); }
std::string_view Name(MailingStatus v) { return Lookup(kMailingStatuses, v); }
std::string_view Name(RecipientState v) { return Lookup(kRecipientStates, v); }
std::string_view Name(OptInKind v) { return Lookup(kOptInKinds, v); }

std::optional<ListKind> ParseListKind(std::string_view s) { return Parse(kListKinds, s); }
std::optional<MailingType> ParseMailingType(std::string_view s) {
  return Parse(kMailingTypes, s);
}
std::optional<MailingStatus> ParseMailingStatus(std::string_view s) {
  return Parse(kMailingStatuses, s);
}
std::optional<RecipientState> ParseRecipientState(std::string_view s) {
  return Parse(kRecipientStates, s);
}
std::optional<OptInKind> ParseOptInKind(std::string_view s) { return Parse(kOptInKinds, s); }

}  // namespace campaignd::store
