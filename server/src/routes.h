// The one table that maps every LSP method to its handler.
#pragma once

#include "faultline/server/session.h"

#include <map>
#include <string>

namespace faultline::server {

struct Routes {
    struct Route {
        Session::RequestHandler request = nullptr;
        Session::NotificationHandler notification = nullptr;
    };
    static const std::map<std::string, Route, std::less<>>& table();
};

} // namespace faultline::server
