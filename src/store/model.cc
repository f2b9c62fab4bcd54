#include "store/model.h"

#include <array>

namespace campaignd::store {
namespace {

// The spelling of each enumerator, in declaration order: kNames<E>[e].
template <typename E>
constexpr std::array<std::string_view, 0> kNames{};
template <>
constexpr auto kNames<ListKind> = std::to_array<std::string_view>({"standard", "optin",
                                                                   "transaction"});
template <>
constexpr auto kNames<MailingType> = std::to_array<std::string_view>({"regular", "event",
                                                                      "confirmation", "template"});
template <>
constexpr auto kNames<MailingStatus> = std::to_array<std::string_view>({"NEW", "SENDING", "PAUSED",
                                                                        "DONE", "CANCELED"});
template <>
constexpr auto kNames<RecipientState> = std::to_array<std::string_view>({"active", "unsubscribed",
                                                                         "pending"});
template <>
constexpr auto kNames<OptInKind> = std::to_array<std::string_view>({"single", "confirmed",
                                                                    "double"});
template <>
constexpr auto kNames<Tracking> = std::to_array<std::string_view>({"none", "opens", "clicks",
                                                                   "all"});

template <typename E>
std::string_view NameOf(E value) {
  const auto i = static_cast<std::size_t>(value);
  return i < kNames<E>.size() ? kNames<E>[i] : "?";  // "?": not an enumerator (model_test)
}

template <typename E>
std::optional<E> Parse(std::string_view name) {
  for (std::size_t i = 0; i < kNames<E>.size(); ++i) {
    if (kNames<E>[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(ListKind v) { return NameOf(v); }
std::string_view Name(MailingType v) { return NameOf(v); }
std::string_view Name(MailingStatus v) { return NameOf(v); }
std::string_view Name(RecipientState v) { return NameOf(v); }
std::string_view Name(OptInKind v) { return NameOf(v); }
std::string_view Name(Tracking v) { return NameOf(v); }

std::optional<ListKind> ParseListKind(std::string_view s) { return Parse<ListKind>(s); }
std::optional<MailingType> ParseMailingType(std::string_view s) { return Parse<MailingType>(s); }
std::optional<MailingStatus> ParseMailingStatus(std::string_view s) {
  return Parse<MailingStatus>(s);
}
std::optional<RecipientState> ParseRecipientState(std::string_view s) {
  return Parse<RecipientState>(s);
}
std::optional<OptInKind> ParseOptInKind(std::string_view s) { return Parse<OptInKind>(s); }
std::optional<Tracking> ParseTracking(std::string_view s) { return Parse<Tracking>(s); }

std::string ComplaintAddressOf(const Client& client) {
  if (!client.complaint_address.empty()) return client.complaint_address;
  if (client.bounce_domain.empty()) return "";
  return "fbl@" + client.bounce_domain;
}

}  // namespace campaignd::store
