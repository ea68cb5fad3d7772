#pragma once
// The dashboard's static files (src/http/dashboard/*), embedded into the binary at build time
// (CMakeLists.txt generates dashboard_assets.cpp from them), so the service ships no loose files
// and needs no build step for the page. Thread-safe (constant data).

#include <optional>
#include <string_view>

namespace glisk::http {

struct DashboardAsset {
  std::string_view content_type;
  std::string_view body;
};

// "index.html", "dashboard.css", "dashboard.js"; nullopt for anything else.
std::optional<DashboardAsset> dashboard_asset(std::string_view name);

}  // namespace glisk::http
