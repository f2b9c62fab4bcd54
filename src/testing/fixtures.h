// Fixtures: a provisioned client that unit tests of auth/, ops/ and queue/
// share, so each test states only what it changes. Test-only.
//   client 1 "Shoe Store" (file:outbox), bounce limit 3, redirect host
//     www.example.com; list 100 "Customers" (firstname text, orders int),
//     list 200 "Partners", list 300 "Transactions" (transaction);
//   recipients john.smith@example.com (John, 3 orders) and
//     jane@example.com (Jane, 0 orders) in list 100;
//   mailings 5000 event SENDING [100] target group "orders >= 1",
//     5001 regular SENDING [100], 5002 event PAUSED [100],
//     5003 event SENDING [200], 5004 event SENDING [100] (no target group);
//   codes (all on list 100 unless noted): kFormCode (all operations),
//     kIpCode (10.0.0.0/8 only), kPostCode (POST only), kHttpsCode (https
//     only), kNopCode (nop only), kDisabledCode (disabled), kList200Code (list 200).
#ifndef CAMPAIGND_TESTING_FIXTURES_H_
#define CAMPAIGND_TESTING_FIXTURES_H_

#include <string>

#include "store/store.h"

namespace campaignd::testing {

inline constexpr char kFormCode[] = "FORMCODE-1";
inline constexpr char kIpCode[] = "IPCODE-10";
inline constexpr char kPostCode[] = "POSTCODE-1";
inline constexpr char kHttpsCode[] = "HTTPSCODE-1";
inline constexpr char kNopCode[] = "NOPCODE-1";
inline constexpr char kDisabledCode[] = "DISABLED-1";
inline constexpr char kList200Code[] = "LIST200CODE";
inline constexpr char kSecret[] = "fixture-mail-id-secret-32-bytes!";

// The spec described above, for client `client_id` (list/mailing IDs are
// offset by (client_id - 1) * 10000 so two fixture clients never collide;
// codes get a "-C<id>" suffix for clients other than 1).
store::ClientSpec ShoeStore(int64_t client_id = 1);

// The code string of fixture code `base` for `client_id` (see above).
std::string CodeFor(const char* base, int64_t client_id = 1);

// Applies ShoeStore(client_id); aborts on failure (broken test setup).
void ApplyShoeStore(store::Provisioner& provisioner, int64_t client_id = 1);

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_FIXTURES_H_
