// CIDs (ipfs/cid.hpp): parse_cid reads untrusted text (GET /ipfs/{cid}, what a pinning service
// answers). Whatever it accepts prints back as the very same text, and its binary form parses to
// the same CID; what it refuses is InvalidCid with a short, printable message. The file CID
// builder, fed the input's bytes in pieces, gives the CID it gives when fed all at once.
#include "ipfs/cid.hpp"

#include <algorithm>

#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

void check_text(std::string_view text) {
  try {
    const ipfs::Cid cid = ipfs::parse_cid(text);
    require(cid.to_string() == text, "a parsed CID prints back as the same text");
    require(ipfs::parse_cid(cid.to_string()) == cid, "a printed CID parses to itself");
  } catch (const ipfs::InvalidCid& e) {
    const std::string_view message = e.what();
    require(message.size() <= 300, "a CID error message is short");
    require(
        std::all_of(message.begin(), message.end(), [](char c) { return (c >= 0x20 && c < 0x7f) || (c & 0x80) != 0; }),
        "a CID error message has no control characters");
  }
}

void check_builder(const uint8_t* data, size_t size) {
  Input in(data, size);
  // Small chunks and few links, so a short input still makes a tree several levels deep.
  const ipfs::DagLayout layout{1 + in.byte() % 32u, 2 + in.byte() % 4u};
  const std::string content = in.rest_text();
  ipfs::FileCidBuilder whole(layout);
  whole.append(content);
  const ipfs::Cid expected = whole.finish();

  ipfs::FileCidBuilder pieces(layout);
  Input cuts(data, size);
  std::string_view rest = content;
  while (!rest.empty()) {
    const size_t n = std::min<size_t>(rest.size(), cuts.byte() % 48);
    pieces.append(rest.substr(0, n));
    rest.remove_prefix(n);
    if (cuts.empty()) {
      pieces.append(rest);
      break;
    }
  }
  const ipfs::Cid streamed = pieces.finish();
  require(streamed == expected, "a file's CID does not depend on how its bytes arrive");
  require(expected.version == 1 && (expected.codec == ipfs::kCodecRaw || expected.codec == ipfs::kCodecDagPb),
          "a file's CID is a CIDv1, raw or dag-pb");
  require(ipfs::parse_cid(expected.to_string()) == expected, "a file's CID parses back");
  require((expected.codec == ipfs::kCodecRaw) == (content.size() <= layout.chunk_size),
          "a file of one chunk or less is a raw leaf, a larger one a dag-pb node");
}

}  // namespace

int cid(const uint8_t* data, size_t size) {
  check_text(as_text(data, size));
  check_builder(data, size);
  return 0;
}

}  // namespace glisk::fuzz
