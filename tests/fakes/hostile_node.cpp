#include "fakes/hostile_node.hpp"

#include <regex>

namespace glisk::testing {

HostileNode::HostileNode(int depth) : depth_(depth) {
  server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
    ++calls_;
    // The id is echoed as sent, so the answer passes every check but the result's own.
    static const std::regex kId(R"re("id"\s*:\s*([0-9]+))re");
    std::smatch id;
    const std::string number = std::regex_search(req.body, id, kId) ? id[1].str() : "1";
    std::string body = R"({"jsonrpc":"2.0","id":)" + number + R"(,"result":)";
    body.append(static_cast<size_t>(depth_), '[');
    body.append(static_cast<size_t>(depth_), ']');
    body += "}";
    res.set_content(body, "application/json");
  });
  listen();
}

}  // namespace glisk::testing
