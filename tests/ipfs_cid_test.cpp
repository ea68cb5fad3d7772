// CIDs as `ipfs add --cid-version=1` computes them: kubo's own vectors, then the independent
// JavaScript UnixFS importer (scripts/ipfs-cid-reference.mjs, installed by
// scripts/install-node-tools) on files that cross every boundary of the DAG layout. A missing
// node or package fails these tests with a message saying so: never a skip.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ipfs/cid.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

using glisk::ipfs::Cid;
using glisk::ipfs::cid_v1_for_file;
using glisk::ipfs::DagLayout;
using glisk::ipfs::FileCidBuilder;
using glisk::ipfs::InvalidCid;
using glisk::ipfs::kChunkSize;
using glisk::ipfs::kCodecDagPb;
using glisk::ipfs::kCodecRaw;
using glisk::ipfs::kMaxLinksPerNode;
using glisk::ipfs::parse_cid;
using glisk::ipfs::raw_sha256_cid;
using glisk::ipfs::raw_sha256_digest;

namespace {

constexpr std::string_view kEmptyCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
constexpr std::string_view kHelloWorldCid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
// The example of the IPFS documentation: one dag-pb block as CIDv0 and as CIDv1.
constexpr std::string_view kDocsCidV0 = "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR";
constexpr std::string_view kDocsCidV1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

std::string pseudo_random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "glisk_cid_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& bytes) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// Whether the C++ CID of each of `files` equals the JavaScript importer's, run once on all of them.
::testing::AssertionResult matches_reference(const std::vector<std::string>& files, DagLayout layout = {}) {
  TempDir dir;
  std::vector<std::string> args = {"--chunk-size", std::to_string(layout.chunk_size), "--max-links",
                                   std::to_string(layout.max_links)};
  std::vector<std::string> expected;
  for (size_t i = 0; i < files.size(); ++i) {
    args.push_back(dir.write("file" + std::to_string(i), files[i]));
    FileCidBuilder builder(layout);
    builder.append(files[i]);
    expected.push_back(builder.finish().to_string());
  }
  auto run = glisk::testing::run_node_script("scripts/ipfs-cid-reference.mjs", args);
  if (run.exit_code != 0) {
    return ::testing::AssertionFailure()
           << "the JavaScript reference failed (exit code " << run.exit_code << "): " << run.err
           << "It needs node (20 or later) and the packages that scripts/install-node-tools installs: "
              "run scripts/install-node-tools";
  }
  const std::string& out = run.out;
  std::istringstream lines(out);
  for (size_t i = 0; i < files.size(); ++i) {
    std::string actual;
    std::getline(lines, actual);
    if (actual != expected[i]) {
      return ::testing::AssertionFailure() << "file of " << files[i].size() << " bytes: glisk says " << expected[i]
                                           << ", the JavaScript importer says '" << actual << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

// The message of the InvalidCid that parse_cid throws for `text` (any other exception escapes
// and fails the test).
std::string parse_error(std::string_view text) {
  try {
    Cid cid = parse_cid(text);
    return "no error: parsed as " + cid.to_string();
  } catch (const InvalidCid& e) {
    return e.what();
  }
}

::testing::AssertionResult ends_with(const std::string& text, std::string_view end) {
  if (text.ends_with(end)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not end with '" << end << "'";
}

}  // namespace

TEST(IpfsCid, EmptyFileIsKubosRawCid) { EXPECT_EQ(cid_v1_for_file(""), kEmptyCid); }

// What revealDigests stores is the raw CID's digest alone; the CID comes back from it unchanged.
TEST(IpfsCid, ARawSha256CidIsItsDigestAndBack) {
  const Cid cid = parse_cid(kHelloWorldCid);
  auto digest = raw_sha256_digest(cid);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(raw_sha256_cid(*digest).to_string(), kHelloWorldCid);
  EXPECT_EQ((*digest)[0], 0xb9) << "sha2-256(\"hello world\") begins b94d27b9";
  // Not raw sha2-256: a CIDv0 (dag-pb), a dag-pb CIDv1, an identity hash.
  EXPECT_FALSE(raw_sha256_digest(parse_cid("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")));
  Cid dag_pb = cid;
  dag_pb.codec = kCodecDagPb;
  EXPECT_FALSE(raw_sha256_digest(dag_pb));
  Cid identity = cid;
  identity.multihash = std::string(
      "\x00\x03"
      "abc",
      5);
  EXPECT_FALSE(raw_sha256_digest(identity));
}

TEST(IpfsCid, HelloWorldIsKubosRawCid) { EXPECT_EQ(cid_v1_for_file("hello world"), kHelloWorldCid); }

TEST(IpfsCid, ReferenceReproducesKubosVectors) {
  // The reference is only a reference if it agrees with kubo where kubo's answer is known.
  EXPECT_TRUE(matches_reference({"", "hello world"}));
}

TEST(IpfsCid, MatchesJavaScriptImporterAroundOneChunk) {
  EXPECT_TRUE(matches_reference({pseudo_random_bytes(1, 1), pseudo_random_bytes(kChunkSize - 1, 2),
                                 pseudo_random_bytes(kChunkSize, 3), pseudo_random_bytes(kChunkSize + 1, 4)}));
}

TEST(IpfsCid, MatchesJavaScriptImporterAroundOneFullNode) {
  // 174 leaves fill the root; one byte more needs a second level.
  EXPECT_TRUE(matches_reference(
      {std::string(kMaxLinksPerNode * kChunkSize, 'x'), pseudo_random_bytes(kMaxLinksPerNode * kChunkSize + 1, 5)}));
}

TEST(IpfsCid, MatchesJavaScriptImporterOnAnImageSizedFile) {
  EXPECT_TRUE(matches_reference({pseudo_random_bytes(5'000'000 + 17, 6)}));
}

TEST(IpfsCid, MatchesJavaScriptImporterOnDeepTrees) {
  // Tiny chunks and 3 links per node give trees four levels deep, which kubo's layout only
  // reaches past 7 GB.
  std::vector<std::string> files;
  for (size_t size = 0; size <= 120; ++size) files.push_back(pseudo_random_bytes(size, size));
  EXPECT_TRUE(matches_reference(files, DagLayout{4, 3}));
}

TEST(IpfsCid, BuilderFedInPiecesGivesTheSameCid) {
  std::string file = pseudo_random_bytes(3 * kChunkSize + 12345, 7);
  FileCidBuilder builder;
  for (size_t at = 0; at < file.size(); at += 100'003) builder.append(std::string_view(file).substr(at, 100'003));
  EXPECT_EQ(builder.finish().to_string(), cid_v1_for_file(file));
}

TEST(IpfsCid, BuilderRefusesUseAfterFinishAndLayoutsWithoutRoot) {
  FileCidBuilder builder;
  builder.finish();
  EXPECT_THROW(builder.append("x"), std::logic_error);
  EXPECT_THROW(FileCidBuilder(DagLayout{kChunkSize, 1}), std::invalid_argument);
  EXPECT_THROW(FileCidBuilder(DagLayout{0, kMaxLinksPerNode}), std::invalid_argument);
}

TEST(IpfsCid, ParsesAndPrintsCidV1) {
  Cid cid = parse_cid(kHelloWorldCid);
  EXPECT_EQ(cid.version, 1);
  EXPECT_EQ(cid.codec, kCodecRaw);
  EXPECT_EQ(cid.multihash.size(), 34u);
  EXPECT_EQ(cid.multihash.substr(0, 2), "\x12\x20");
  EXPECT_EQ(cid.to_string(), kHelloWorldCid);
}

TEST(IpfsCid, ParsesCidV0AndConvertsItToV1) {
  Cid cid = parse_cid(kDocsCidV0);
  EXPECT_EQ(cid.version, 0);
  EXPECT_EQ(cid.codec, kCodecDagPb);
  EXPECT_EQ(cid.to_string(), kDocsCidV0);
  cid.version = 1;
  EXPECT_EQ(cid.to_string(), kDocsCidV1);
  EXPECT_EQ(parse_cid(kDocsCidV1).multihash, cid.multihash);
}

TEST(IpfsCid, InvalidCidIsBadInput) {
  // Once a std::invalid_argument; the error policy (errors/errors.hpp) roots it in errors::Error.
  static_assert(std::is_base_of_v<glisk::errors::Error, InvalidCid>);
  EXPECT_EQ(glisk::testing::thrown<InvalidCid>([] { parse_cid("nope"); }).kind(), glisk::errors::Kind::kBadInput);
}

TEST(IpfsCid, RejectsUnknownMultibase) {
  EXPECT_EQ(parse_error(""), "invalid CID \"\": empty text");
  EXPECT_EQ(parse_error("zdj7WhuEjrB52m1BisYCtmjH1hSKa7yZ3jEZ9JcXaFRD51wVz"),
            "invalid CID \"zdj7WhuEjrB52m1BisYCtmjH1hSKa7yZ3jEZ9JcXaFRD51wVz\": unsupported multibase prefix \"z\" "
            "(expected 'b' for base32 CIDv1 or 'Qm' for base58btc CIDv0)");
  EXPECT_NE(parse_error("BAFKREI").find("unsupported multibase prefix \"B\""), std::string::npos);
}

TEST(IpfsCid, RejectsBadBase32) {
  EXPECT_EQ(parse_error("bafy!x"), "invalid CID \"bafy!x\": bad base32 character \"!\" at position 5");
  EXPECT_EQ(parse_error("bAFY"), "invalid CID \"bAFY\": bad base32 character \"A\" at position 2");
  EXPECT_EQ(parse_error(std::string(kHelloWorldCid) + "a"),
            "invalid CID \"" + std::string(kHelloWorldCid) + "a\": base32 text does not end on a byte boundary");
}

TEST(IpfsCid, RejectsTruncatedAndNonMinimalVarints) {
  EXPECT_EQ(parse_error("b"), "invalid CID \"b\": truncated varint (version)");
  EXPECT_EQ(parse_error("bagaa"), "invalid CID \"bagaa\": truncated varint (codec)");      // 01 80
  EXPECT_EQ(parse_error("bqeaa"), "invalid CID \"bqeaa\": non-minimal varint (version)");  // 81 00
}

TEST(IpfsCid, RejectsOtherVersions) {
  EXPECT_EQ(parse_error("babkre"), "invalid CID \"babkre\": unsupported CID version 0 (expected 1)");  // 00 55 12
  EXPECT_EQ(parse_error("bajkq"), "invalid CID \"bajkq\": unsupported CID version 2 (expected 1)");    // 02 55
}

TEST(IpfsCid, RejectsBadMultihashes) {
  auto error_for = [](const std::string& multihash) { return parse_error(Cid{1, kCodecRaw, multihash}.to_string()); };
  const std::string sha256_header = "\x12\x20";
  EXPECT_TRUE(ends_with(error_for("\x12\x10" + std::string(16, 'a')), ": sha2-256 digest must be 32 bytes, not 16"));
  EXPECT_TRUE(
      ends_with(error_for(sha256_header + "abc"), ": truncated multihash: digest of 32 bytes declared, 3 present"));
  EXPECT_TRUE(ends_with(error_for(sha256_header + std::string(33, 'a')), ": 1 bytes after the multihash"));
  EXPECT_TRUE(ends_with(error_for("\x13\xc8\x01" + std::string(200, 'a')), ": unknown hash length 200"));
}

TEST(IpfsCid, RejectsMalformedCidV0) {
  EXPECT_EQ(parse_error("QmShort"), "invalid CID \"QmShort\": a CIDv0 ('Qm…') has 46 characters, not 7");
  std::string zero = "Qm0" + std::string(kDocsCidV0.substr(3));
  EXPECT_EQ(parse_error(zero), "invalid CID \"" + zero + "\": bad base58btc character \"0\" at position 3");
  std::string small = "Qm" + std::string(44, '1');
  EXPECT_EQ(parse_error(small), "invalid CID \"" + small + "\": a CIDv0 must be a sha2-256 multihash");
}

TEST(IpfsCid, NeverThrowsAnythingElseOnArbitraryText) {
  // A small stand-in for the fuzzer: every prefix of valid CIDs, and random bytes behind a 'b'.
  for (std::string_view valid : {kHelloWorldCid, kDocsCidV0, kDocsCidV1}) {
    for (size_t n = 0; n <= valid.size(); ++n) parse_error(valid.substr(0, n));
  }
  for (uint64_t seed = 0; seed < 2000; ++seed) parse_error("b" + pseudo_random_bytes(seed % 80, seed));
}
