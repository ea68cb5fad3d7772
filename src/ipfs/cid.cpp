#include "ipfs/cid.hpp"

#include <cryptopp/sha.h>

#include <algorithm>
#include <array>

namespace glisk::ipfs {
namespace {

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kBase58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t kCidV0Chars = 46;
// The multiformats unsigned-varint spec caps a varint at 9 bytes (63 bits).
constexpr size_t kMaxVarintBytes = 9;
// No multihash function in use has a longer digest; a cap keeps hostile input small.
constexpr size_t kMaxDigestBytes = 128;
// UnixFS Data.DataType.File (unixfs.proto).
constexpr uint64_t kUnixFsFile = 2;

// The input quoted in an error message: bounded and printable, since it may be anything.
std::string quoted(std::string_view text) {
  constexpr size_t kShown = 64;
  std::string out = "\"";
  for (char c : text.substr(0, kShown)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  out += text.size() > kShown ? "…\"" : "\"";
  return out;
}

[[noreturn]] void fail(std::string_view text, const std::string& reason) {
  throw InvalidCid("invalid CID " + quoted(text) + ": " + reason);
}

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

// Reads an unsigned varint at `pos`, advancing it; `what` names the field for the message.
// Rejects truncated, over-long and non-minimal encodings, as the multiformats spec requires.
uint64_t get_varint(std::string_view text, std::string_view bytes, size_t& pos, std::string_view what) {
  uint64_t value = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (pos >= bytes.size()) fail(text, "truncated varint (" + std::string(what) + ")");
    auto byte = static_cast<uint8_t>(bytes[pos++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) fail(text, "non-minimal varint (" + std::string(what) + ")");
      return value;
    }
  }
  fail(text, "varint longer than 9 bytes (" + std::string(what) + ")");
}

std::string sha256_multihash(std::string_view bytes) {
  std::array<CryptoPP::byte, CryptoPP::SHA256::DIGESTSIZE> digest{};
  CryptoPP::SHA256 hash;
  hash.Update(reinterpret_cast<const CryptoPP::byte*>(bytes.data()), bytes.size());
  hash.Final(digest.data());
  std::string out;
  put_varint(out, kMultihashSha256);
  put_varint(out, digest.size());
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

// Checks that `bytes` is exactly one multihash with a plausible digest length.
void check_multihash(std::string_view text, std::string_view bytes) {
  size_t pos = 0;
  uint64_t code = get_varint(text, bytes, pos, "multihash code");
  uint64_t length = get_varint(text, bytes, pos, "multihash length");
  if (code == kMultihashSha256 && length != kSha256Bytes) {
    fail(text, "sha2-256 digest must be 32 bytes, not " + std::to_string(length));
  }
  if (length > kMaxDigestBytes) fail(text, "unknown hash length " + std::to_string(length));
  size_t left = bytes.size() - pos;
  if (left < length) {
    fail(text, "truncated multihash: digest of " + std::to_string(length) + " bytes declared, " + std::to_string(left) +
                   " present");
  }
  if (left > length) fail(text, std::to_string(left - length) + " bytes after the multihash");
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 0x1f];
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1f];
  return out;
}

// Strict RFC 4648 lowercase base32 without padding, of `text` after its multibase prefix: every
// string decodes to one byte string and back to itself, so a parsed CID prints as the text it
// came from.
std::string base32_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    size_t value = kBase32Alphabet.find(text[i]);
    if (value == std::string_view::npos) {
      fail(text, "bad base32 character " + quoted(text.substr(i, 1)) + " at position " + std::to_string(i + 1));
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // A final group of 1, 3 or 6 characters leaves 5 or more spare bits: not a whole byte count.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) fail(text, "base32 text does not end on a byte boundary");
  return out;
}

std::string base58_encode(std::string_view bytes) {
  // Big-number division by 58, little-endian digits.
  std::vector<uint8_t> digits;
  for (char c : bytes) {
    uint32_t carry = static_cast<uint8_t>(c);
    for (auto& d : digits) {
      carry += static_cast<uint32_t>(d) << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out;
  for (size_t i = 0; i < bytes.size() && bytes[i] == 0; ++i) out += kBase58Alphabet[0];
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kBase58Alphabet[*it];
  return out;
}

std::string base58_decode(std::string_view text) {
  std::vector<uint8_t> bytes;  // little-endian
  for (size_t i = 0; i < text.size(); ++i) {
    size_t value = kBase58Alphabet.find(text[i]);
    if (value == std::string_view::npos) {
      fail(text, "bad base58btc character " + quoted(text.substr(i, 1)) + " at position " + std::to_string(i + 1));
    }
    auto carry = static_cast<uint32_t>(value);
    for (auto& b : bytes) {
      carry += static_cast<uint32_t>(b) * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::string out;
  for (size_t i = 0; i < text.size() && text[i] == kBase58Alphabet[0]; ++i) out += '\0';
  out.append(bytes.rbegin(), bytes.rend());
  return out;
}

// A protobuf field key (field number, wire type).
void put_key(std::string& out, uint64_t field, uint64_t wire_type) { put_varint(out, (field << 3) | wire_type); }

void put_bytes_field(std::string& out, uint64_t field, std::string_view bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out.append(bytes);
}

void put_varint_field(std::string& out, uint64_t field, uint64_t value) {
  put_key(out, field, 0);
  put_varint(out, value);
}

}  // namespace

std::string Cid::to_bytes() const {
  if (version == 0) {
    if (codec != kCodecDagPb || multihash.size() != 2 + kSha256Bytes ||
        static_cast<uint8_t>(multihash[0]) != kMultihashSha256 || multihash[1] != static_cast<char>(kSha256Bytes)) {
      throw InvalidCid("a CIDv0 must be dag-pb with a sha2-256 multihash");
    }
    return multihash;
  }
  if (version != 1) throw InvalidCid("unsupported CID version " + std::to_string(version));
  std::string out;
  put_varint(out, 1);
  put_varint(out, codec);
  out += multihash;
  return out;
}

std::string Cid::to_string() const {
  std::string bytes = to_bytes();
  return version == 0 ? base58_encode(bytes) : "b" + base32_encode(bytes);
}

Cid parse_cid(std::string_view text) {
  if (text.empty()) fail(text, "empty text");
  if (text.starts_with("Qm")) {
    if (text.size() != kCidV0Chars) {
      fail(text, "a CIDv0 ('Qm…') has 46 characters, not " + std::to_string(text.size()));
    }
    std::string bytes = base58_decode(text);
    if (bytes.size() != 2 + kSha256Bytes || static_cast<uint8_t>(bytes[0]) != kMultihashSha256 ||
        bytes[1] != static_cast<char>(kSha256Bytes)) {
      fail(text, "a CIDv0 must be a sha2-256 multihash");
    }
    return Cid{0, kCodecDagPb, bytes};
  }
  if (text[0] != 'b') {
    fail(text, "unsupported multibase prefix " + quoted(text.substr(0, 1)) +
                   " (expected 'b' for base32 CIDv1 or 'Qm' for base58btc CIDv0)");
  }
  std::string bytes = base32_decode(text);
  size_t pos = 0;
  uint64_t version = get_varint(text, bytes, pos, "version");
  if (version != 1) fail(text, "unsupported CID version " + std::to_string(version) + " (expected 1)");
  uint64_t codec = get_varint(text, bytes, pos, "codec");
  std::string_view multihash = std::string_view(bytes).substr(pos);
  check_multihash(text, multihash);
  return Cid{1, codec, std::string(multihash)};
}

std::string cid_v1_for_file(std::string_view bytes) {
  FileCidBuilder builder;
  builder.append(bytes);
  return builder.finish().to_string();
}

FileCidBuilder::FileCidBuilder(DagLayout layout) : layout_(layout) {
  if (layout_.chunk_size == 0) throw std::invalid_argument("DagLayout.chunk_size must be at least 1");
  // One link per node would never shrink a level to a root.
  if (layout_.max_links < 2) throw std::invalid_argument("DagLayout.max_links must be at least 2");
}

void FileCidBuilder::check_not_finished() const {
  if (finished_) throw std::logic_error("FileCidBuilder used after finish()");
}

void FileCidBuilder::append(std::string_view bytes) {
  check_not_finished();
  while (!bytes.empty()) {
    if (chunk_.empty() && bytes.size() >= layout_.chunk_size) {
      // Whole chunks straight from the caller's buffer: no copy.
      add_leaf(bytes.substr(0, layout_.chunk_size));
      bytes.remove_prefix(layout_.chunk_size);
      continue;
    }
    size_t take = std::min(layout_.chunk_size - chunk_.size(), bytes.size());
    chunk_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (chunk_.size() == layout_.chunk_size) {
      add_leaf(chunk_);
      chunk_.clear();
    }
  }
}

void FileCidBuilder::add_leaf(std::string_view chunk) {
  ++leaves_;
  add_link(0, Link{Cid{1, kCodecRaw, sha256_multihash(chunk)}, chunk.size(), chunk.size()});
}

// A full level is grouped into a node only when one more link arrives, because a full level
// with nothing after it may be the root's own links (the JS importer and kubo agree on this).
void FileCidBuilder::add_link(size_t level, Link link) {
  if (levels_.size() <= level) levels_.resize(level + 1);
  if (levels_[level].size() == layout_.max_links) {
    Link node = make_node(levels_[level]);
    levels_[level].clear();
    add_link(level + 1, std::move(node));
  }
  levels_[level].push_back(std::move(link));
}

FileCidBuilder::Link FileCidBuilder::make_node(const std::vector<Link>& links) const {
  // UnixFS Data: Type (1), filesize (3), blocksizes (4, unpacked as in unixfs.proto's proto2).
  std::string data;
  uint64_t file_size = 0;
  for (const auto& link : links) file_size += link.file_size;
  put_varint_field(data, 1, kUnixFsFile);
  put_varint_field(data, 3, file_size);
  for (const auto& link : links) put_varint_field(data, 4, link.file_size);

  // PBNode in canonical dag-pb order: Links (2) before Data (1); each PBLink is Hash (1),
  // Name (2, always present and empty, as kubo writes it), Tsize (3).
  std::string block;
  uint64_t tree_size = 0;
  for (const auto& link : links) {
    std::string encoded;
    put_bytes_field(encoded, 1, link.cid.to_bytes());
    put_bytes_field(encoded, 2, "");
    put_varint_field(encoded, 3, link.tree_size);
    put_bytes_field(block, 2, encoded);
    tree_size += link.tree_size;
  }
  put_bytes_field(block, 1, data);
  return Link{Cid{1, kCodecDagPb, sha256_multihash(block)}, tree_size + block.size(), file_size};
}

Cid FileCidBuilder::finish() {
  check_not_finished();
  finished_ = true;
  // The empty file is one empty raw leaf, as in kubo.
  if (!chunk_.empty() || leaves_ == 0) add_leaf(chunk_);
  chunk_.clear();
  // Group what is left bottom-up; the first level that is the highest and holds one link is the
  // root. A file of one leaf is therefore that leaf itself (kubo's raw CID of small files).
  for (size_t level = 0;; ++level) {
    auto& links = levels_[level];
    bool highest = std::all_of(levels_.begin() + static_cast<std::ptrdiff_t>(level) + 1, levels_.end(),
                               [](const auto& above) { return above.empty(); });
    if (highest && links.size() == 1) return links.front().cid;
    if (links.empty()) continue;
    Link node = make_node(links);
    links.clear();
    add_link(level + 1, std::move(node));
  }
}

std::optional<Sha256Digest> raw_sha256_digest(const Cid& cid) {
  if (cid.version != 1 || cid.codec != kCodecRaw) return std::nullopt;
  const std::string& m = cid.multihash;  // one-byte varints: 0x12 (sha2-256), 0x20 (32 bytes)
  if (m.size() != 2 + kSha256Bytes || static_cast<uint8_t>(m[0]) != kMultihashSha256 ||
      static_cast<uint8_t>(m[1]) != kSha256Bytes) {
    return std::nullopt;
  }
  Sha256Digest digest{};
  std::copy(m.begin() + 2, m.end(), digest.begin());
  return digest;
}

Cid raw_sha256_cid(const Sha256Digest& digest) {
  Cid cid;
  cid.version = 1;
  cid.codec = kCodecRaw;
  cid.multihash = std::string{static_cast<char>(kMultihashSha256), static_cast<char>(kSha256Bytes)};
  cid.multihash.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return cid;
}

}  // namespace glisk::ipfs
