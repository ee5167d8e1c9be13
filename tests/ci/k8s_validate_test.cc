// ci/k8s/validate.py, the check `.ci/run` makes of the Kubernetes manifests
// (offline, against the schema of Debian's python3-kubernetes): the
// manifests a user applies pass, and each mistake a user makes in one is
// reported where it is and what is wrong, with exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "harness/machines/process.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const fs::path kManifests = fs::path(restorelab::source_dir()) / "ci" / "k8s";

machines::ProcessResult validate(const std::vector<std::string>& files) {
  // Through its #! line: Debian's /usr/bin/python3, which has python3-kubernetes (a
  // python3 earlier in PATH may not).
  std::vector<std::string> argv = {(kManifests / "validate.py").string()};
  argv.insert(argv.end(), files.begin(), files.end());
  auto r = machines::run_process(argv, {.timeout = std::chrono::seconds(60), .separate_stderr = true});
  EXPECT_TRUE(r) << r.error().message;
  if (!r) return machines::ProcessResult{-1, "", ""};
  return *r;
}

TEST(K8sValidateTest, TheManifestsMatchTheKubernetesSchema) {
  const auto campaign = (kManifests / "campaign-job.yaml").string();
  const auto merge = (kManifests / "merge-job.yaml").string();
  const auto r = validate({campaign, merge});
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_EQ(r.errors, "");
  EXPECT_NE(r.output.find(campaign + ": valid ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(merge + ": valid ("), std::string::npos) << r.output;
}

class BrokenManifest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("restorelab-k8s-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    original_ = slurp(kManifests / "campaign-job.yaml");
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// The campaign Job with `from` replaced by `to` (once; it must be there),
  /// checked: the exit code and stderr.
  std::pair<int, std::string> check(const std::string& from, const std::string& to) {
    std::string text = original_;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at == std::string::npos) return {-1, ""};
    text.replace(at, from.size(), to);
    path_ = (dir_ / "job.yaml").string();
    std::ofstream(path_) << text;
    const auto r = validate({path_});
    EXPECT_EQ(r.output, "");
    return {r.exit_code, r.errors};
  }

  /// "FILE:LINE:COLUMN: " of the first `needle` in the broken file, plus
  /// `column_offset` columns.
  std::string at(const std::string& needle, int column_offset = 0) const {
    std::istringstream in(slurp(path_));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      if (auto c = line.find(needle); c != std::string::npos)
        return path_ + ":" + std::to_string(n) + ":" + std::to_string(c + 1 + column_offset) + ": ";
    ADD_FAILURE() << needle << " not in " << path_;
    return "";
  }

  fs::path dir_;
  std::string original_;
  std::string path_;
};

TEST_F(BrokenManifest, AMisspelledCompletionModeIsNotOneOfTheModes) {
  auto [exit, err] = check("completionMode: Indexed", "completionMode: Indexd");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("Indexd") + "Job.spec.completionMode: \"Indexd\" is not one of NonIndexed, Indexed\n");
}

TEST_F(BrokenManifest, AQuotedCompletionsIsAStringNotAnInteger) {
  auto [exit, err] = check("completions: 4", "completions: \"4\"");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("\"4\"") + "Job.spec.completions: expected an integer, found a string \"4\"\n");
}

TEST_F(BrokenManifest, AMisspelledRestartPolicyIsAnUnknownFieldWithTheRightOneSuggested) {
  auto [exit, err] = check("restartPolicy: Never", "restartPolcy: Never");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("restartPolcy") +
                     "Job.spec.template.spec.restartPolcy: not a field of V1PodSpec (did you mean \"restartPolicy\"?)\n");
}

TEST_F(BrokenManifest, ARestartPolicyInLowerCaseIsNotOneOfThePolicies) {
  auto [exit, err] = check("restartPolicy: Never", "restartPolicy: never");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("restartPolicy: never", 15) +
                     "Job.spec.template.spec.restartPolicy: \"never\" is not one of Always, OnFailure, Never\n");
}

TEST_F(BrokenManifest, AContainerWithoutANameNeedsOne) {
  auto [exit, err] = check("- name: shard", "- workingDir: /work");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("workingDir") + "Job.spec.template.spec.containers[0]: V1Container needs the field \"name\"\n");
}

TEST_F(BrokenManifest, GiBIsNotAQuantitySuffix) {
  auto [exit, err] = check("memory: 4Gi", "memory: 4GiB");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("4GiB") + "Job.spec.template.spec.containers[0].resources.requests.memory: "
                              "\"4GiB\" is not a quantity (such as 2, 500m, 4Gi, 1.5G)\n");
}

TEST_F(BrokenManifest, AnInventedFieldIsUnknown) {
  auto [exit, err] = check("  parallelism: 4\n", "  parallelism: 4\n  shardCount: 4\n");
  EXPECT_EQ(exit, 2);
  EXPECT_EQ(err, at("shardCount") + "Job.spec.shardCount: not a field of V1JobSpec\n");
}

}  // namespace
}  // namespace restorelab
