#include "ipfs/local_store.hpp"

#include <fstream>
#include <sstream>
#include <thread>

#include "errors/errors.hpp"
#include "ipfs/cid.hpp"

namespace glisk::ipfs {

LocalIpfsStore::LocalIpfsStore(std::filesystem::path dir) : dir_(std::filesystem::absolute(dir)) {}

std::string LocalIpfsStore::pin(const PinRequest& request, std::stop_token) {
  const std::string cid = cid_v1_for_file(request.bytes);
  const auto path = dir_ / cid;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return cid;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    throw errors::PermanentError("cannot create " + dir_.string() + " (" + ec.message() + "): check IPFS_LOCAL_DIR");
  auto tmp = path;
  tmp += ".tmp" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(request.bytes.data(), static_cast<std::streamsize>(request.bytes.size()));
    if (!f) throw errors::TransientError("cannot write " + tmp.string() + ": is the disk full? (IPFS_LOCAL_DIR)");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw errors::TransientError("cannot rename " + tmp.string() + ": " + ec.message());
  return cid;
}

std::optional<std::string> LocalIpfsStore::read(std::string_view cid) const {
  const std::string canonical = parse_cid(cid).to_string();  // throws InvalidCid; no path tricks get through
  std::ifstream f(dir_ / canonical, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream out;
  out << f.rdbuf();
  return out.str();
}

}  // namespace glisk::ipfs
