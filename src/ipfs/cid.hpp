#pragma once
// Content identifiers as IPFS computes them, so glisk knows an image's CID before (and without
// trusting) the pinning service, and can check the CID a service answers.
//
// cid_v1_for_file() gives the CID that `ipfs add --cid-version=1` prints with kubo's defaults:
// UnixFS, fixed 256 KiB chunks, raw leaves, balanced DAG of at most 174 links per node, dag-pb
// inner nodes, sha2-256, base32. A file of one chunk or less (also the empty file) is the raw
// CID of its bytes (`bafkrei…`). tests/ipfs_cid_test.cpp checks it against the independent
// JavaScript importer (scripts/ipfs-cid-reference.mjs).
//
// parse_cid() accepts CIDv1 in base32 ('b…') and CIDv0 in base58btc ('Qm…', 46 characters), and
// throws InvalidCid for anything else; it reads untrusted text and never reads out of bounds.
// Everything here is a plain value or function: no shared state, safe from any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"

namespace glisk::ipfs {

inline constexpr uint64_t kCodecRaw = 0x55;
inline constexpr uint64_t kCodecDagPb = 0x70;
inline constexpr uint64_t kMultihashSha256 = 0x12;
inline constexpr size_t kSha256Bytes = 32;
// kubo's defaults: `--chunker=size-262144`, balanced layout with helpers.DefaultLinksPerBlock.
inline constexpr size_t kChunkSize = 262144;
inline constexpr size_t kMaxLinksPerNode = 174;

// Text that is not a CID this module accepts; the message says what is wrong with it.
class InvalidCid : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

struct Cid {
  int version = 1;
  uint64_t codec = kCodecRaw;
  std::string multihash;  // raw bytes: varint hash code, varint digest length, digest

  // CIDv1 as multibase base32 ('b', lowercase, no padding); CIDv0 as base58btc ('Qm…').
  // Throws InvalidCid for a version other than 0 or 1, or a CIDv0 that is not dag-pb + sha2-256.
  std::string to_string() const;
  // The binary form (for CIDv1: varint version, varint codec, multihash; CIDv0: the multihash).
  std::string to_bytes() const;

  bool operator==(const Cid&) const = default;
};

Cid parse_cid(std::string_view text);

// A raw block's content address is its sha2-256 digest alone: CIDv1, raw codec (0x55), sha2-256
// multihash of 32 bytes (`bafkrei…`). raw_sha256_digest() gives those 32 bytes, or nullopt for any
// other CID (another version, codec or hash); raw_sha256_cid() builds the CID back. The contract's
// revealDigests stores the digest and rebuilds the same text on chain.
using Sha256Digest = std::array<uint8_t, kSha256Bytes>;
std::optional<Sha256Digest> raw_sha256_digest(const Cid& cid);
Cid raw_sha256_cid(const Sha256Digest& digest);

// The CID string of `bytes` as `ipfs add --cid-version=1` computes it (see the top of this file).
std::string cid_v1_for_file(std::string_view bytes);

// How a file is cut into a DAG. The defaults are kubo's; other values exist so tests can build
// deep trees from small inputs.
struct DagLayout {
  size_t chunk_size = kChunkSize;
  size_t max_links = kMaxLinksPerNode;  // at least 2
};

// cid_v1_for_file() fed in pieces: holds one chunk and at most max_links links per tree level,
// so memory stays bounded whatever the file size. append() any number of times, then finish()
// once. Throws std::invalid_argument from the constructor for a layout that cannot make a tree.
class FileCidBuilder {
 public:
  explicit FileCidBuilder(DagLayout layout = {});

  void append(std::string_view bytes);
  // The file's CID; the builder is spent afterwards (std::logic_error on any further call).
  Cid finish();

 private:
  struct Link {
    Cid cid;
    uint64_t tree_size;  // bytes of every block in the linked subtree (dag-pb Tsize)
    uint64_t file_size;  // bytes of file content under it (UnixFS blocksizes entry)
  };

  void add_leaf(std::string_view chunk);
  void add_link(size_t level, Link link);
  Link make_node(const std::vector<Link>& links) const;
  void check_not_finished() const;

  DagLayout layout_;
  std::string chunk_;
  uint64_t leaves_ = 0;
  // levels_[0] holds leaves not yet grouped into a node, levels_[1] nodes over them, and so on.
  std::vector<std::vector<Link>> levels_;
  bool finished_ = false;
};

}  // namespace glisk::ipfs
