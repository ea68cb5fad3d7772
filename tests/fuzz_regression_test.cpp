// Every fuzz target (fuzz/targets.hpp) over every committed input: the seeds in
// fuzz/corpus/<target>/ and the inputs that once broke it in fuzz/regressions/<target>/. So the
// normal and the sanitizer builds replay them on every run, without clang or libFuzzer. A target
// without seeds fails here rather than passing on nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kFuzzDir = fs::path(GLISK_SOURCE_DIR) / "fuzz";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs the target on each file; a broken property or an escaped exception fails with the file.
void replay(const glisk::fuzz::Target& target, const std::vector<fs::path>& files) {
  for (const auto& file : files) {
    const std::string bytes = read_file(file);
    try {
      target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << fs::relative(file, GLISK_SOURCE_DIR).string() << ": " << e.what();
    }
  }
}

class FuzzRegression : public ::testing::TestWithParam<glisk::fuzz::Target> {};

}  // namespace

TEST_P(FuzzRegression, ReplaysItsCorpusAndRegressions) {
  const auto& target = GetParam();
  const auto corpus = files_in(kFuzzDir / "corpus" / target.name);
  ASSERT_FALSE(corpus.empty()) << "fuzz/corpus/" << target.name
                               << "/ is missing or empty: commit seed inputs for it (docs/FUZZING.md)";
  replay(target, corpus);
  replay(target, files_in(kFuzzDir / "regressions" / target.name));
}

INSTANTIATE_TEST_SUITE_P(Fuzz, FuzzRegression,
                         ::testing::ValuesIn(glisk::fuzz::all_targets().begin(), glisk::fuzz::all_targets().end()),
                         [](const auto& target) { return std::string(target.param.name); });

TEST(FuzzFolders, BelongToATarget) {
  for (const char* kind : {"corpus", "regressions"}) {
    if (!fs::is_directory(kFuzzDir / kind)) continue;
    for (const auto& entry : fs::directory_iterator(kFuzzDir / kind)) {
      const auto name = entry.path().filename().string();
      const auto targets = glisk::fuzz::all_targets();
      EXPECT_TRUE(std::any_of(targets.begin(), targets.end(), [&](const auto& t) { return t.name == name; }))
          << "fuzz/" << kind << "/" << name << " belongs to no target in fuzz/CMakeLists.txt";
    }
  }
}
