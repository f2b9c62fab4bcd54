// Lookups of the records a path names ({list}, {mailing}) for the route
// handlers, answering 404 when they do not exist. Private to admin/api.
// Threads: as router.h. Errors: a store failure becomes StoreFailure().
#ifndef CAMPAIGND_ADMIN_API_LIST_LOOKUP_H_
#define CAMPAIGND_ADMIN_API_LIST_LOOKUP_H_

#include <optional>

#include "admin/api/routes.h"

namespace campaignd::admin::api {

// The list {list} of the call's client; nullopt and *error (404/503/500).
std::optional<store::RecipientList> PathList(const Call& call, AdminResponse* error);
// The mailing {mailing} of the call's client; nullopt and *error.
std::optional<store::Mailing> PathMailing(const Call& call, AdminResponse* error);

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_LIST_LOOKUP_H_
