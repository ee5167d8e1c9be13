// The whole guest run on a fake platform: what the host has received on the
// serial console at the moment the VM ends.
#include "images/guest/guest_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "images/guest/job_vocabulary.h"
#include "images/guest/platform.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

/// A platform over a scratch root whose serial port keeps what Emit wrote
/// until DrainConsole sends it, like the kernel's tty buffer and the UART:
/// what the host has when pvpanic or power-off ends the VM is what was
/// drained by then. Records every call in order.
class SerialFakePlatform : public Platform {
 public:
  SerialFakePlatform(const fs::path& root, std::string job) : root_(root), job_(std::move(job)) {}

  const fs::path& Root() const override { return root_; }
  void Emit(std::string_view text) override {
    calls.emplace_back("emit");
    unsent_ += text;
  }
  Status DrainConsole() override {
    calls.emplace_back("drain");
    sent += unsent_;
    unsent_.clear();
    return {};
  }
  /// The first reads return `earlier_jobs` in order, then the job.
  Result<std::string> ReadJob() override {
    calls.emplace_back("read-job");
    if (earlier_jobs.empty()) return job_;
    std::string job = earlier_jobs.front();
    earlier_jobs.erase(earlier_jobs.begin());
    return job;
  }
  /// Called from two threads at once (base and NIC modules).
  Status LoadModule(const fs::path& file) override {
    std::lock_guard lock(calls_mutex_);
    calls.emplace_back("load-module " + file.filename().string());
    return {};
  }
  Status Mount(const fs::path& device, const fs::path&, std::string_view, bool) override {
    return Fail("the fake mounts nothing: " + device.string());
  }
  Status Unmount(const fs::path&) override { return {}; }
  Status RereadPartitions(const fs::path& disk) override {
    calls.emplace_back("reread " + disk.filename().string());
    if (disk.filename() == reread_fails) return Fail("re-read partition table of " + disk.string() + ": busy");
    return {};
  }
  void Sync() override {}
  /// Sleeps for real only when asked (the steps' clock is the real one).
  void Sleep(int ms) override {
    if (sleep_for_real) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  void RaisePanic() override {
    calls.emplace_back("panic");
    host_at_panic = sent;
  }
  void Hang() override { calls.emplace_back("hang"); }
  void PowerOff() override {
    calls.emplace_back("power-off");
    host_at_power_off = sent;
  }

  std::vector<std::string> calls;
  std::vector<std::string> earlier_jobs;  ///< what ReadJob returns before the job
  bool sleep_for_real = false;
  std::string reread_fails;       ///< a disk whose partition table cannot be read again
  std::string sent;               ///< what has left the serial port
  std::string host_at_panic;      ///< `sent` when the guest raised pvpanic
  std::string host_at_power_off;  ///< `sent` when the guest powered off

 private:
  fs::path root_;
  std::string job_;
  std::string unsent_;
  std::mutex calls_mutex_;
};

/// Modules with the kernel's dependency rule: a module whose dependency is
/// not loaded yet is refused (Unknown symbol: finit_module fails with
/// ENOENT). `held_back` is a base module that loads only once `waits_for`
/// has been tried, so the NIC thread runs ahead of the base list as it may
/// on a busy host.
class ModuleDependencyPlatform final : public SerialFakePlatform {
 public:
  using SerialFakePlatform::SerialFakePlatform;

  Status LoadModule(const fs::path& file) override {
    const std::string name = file.filename().string();
    std::unique_lock lock(mutex_);
    if (name == held_back)
      changed_.wait_for(lock, std::chrono::seconds(5), [&] { return tried_.contains(waits_for); });
    tried_.insert(name);
    changed_.notify_all();
    if (auto need = needs.find(name); need != needs.end() && !loaded.contains(need->second))
      return Fail("finit_module " + file.string() + ": No such file or directory");
    loaded.insert(name);
    return {};
  }

  std::map<std::string, std::string> needs;  ///< module -> the module it needs
  std::string held_back;
  std::string waits_for;
  std::set<std::string> loaded;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> tried_;
};

/// The last line of `log` (without its newline), or "" when `log` does not
/// end with a newline: a line cut short.
std::string last_whole_line(const std::string& log) {
  if (!log.ends_with('\n')) return "";
  const std::string_view body(log.data(), log.size() - 1);
  const std::size_t newline = body.rfind('\n');
  return std::string(newline == std::string_view::npos ? body : body.substr(newline + 1));
}

/// The call before the first `name`, or "" when there is none.
std::string call_before(const std::vector<std::string>& calls, std::string_view name) {
  for (std::size_t i = 1; i < calls.size(); ++i)
    if (calls[i] == name) return calls[i - 1];
  return "";
}

TEST(GuestRunTest, TheStopLineHasLeftTheSerialPortWhenTheGuestPanics) {
  testing::TempRoot root;  // no disk: the system volume is not reachable -> Stop 0x7B
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  EXPECT_EQ(RunGuest(platform), 0);
  EXPECT_EQ(call_before(platform.calls, "panic"), "drain");
  EXPECT_TRUE(last_whole_line(platform.host_at_panic).starts_with(R"(RESTORELAB {"event":"boot","outcome":"stop-0x7b")"))
      << platform.host_at_panic;
  EXPECT_TRUE(platform.host_at_panic.ends_with("}\n")) << platform.host_at_panic;
}

TEST(GuestRunTest, TheDoneLineHasLeftTheSerialPortWhenTheGuestPowersOff) {
  testing::TempRoot root;
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  RunGuest(platform);
  EXPECT_EQ(call_before(platform.calls, "power-off"), "drain");
  const std::string done = last_whole_line(platform.host_at_power_off);
  EXPECT_TRUE(done.starts_with(R"(RESTORELAB {"event":"done","stopped":true,"error":false,"step_ms":{)")) << done;
  EXPECT_TRUE(done.ends_with("}}")) << done;
}

TEST(GuestRunTest, TheDoneLineSaysWhereTheGuestsTimeWentWithoutAWarmStartsWait) {
  testing::TempRoot root;
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  // Ten reads of the wait job: at least 10 x 20 ms at the ready point.
  platform.earlier_jobs.assign(10, std::string(vocab::kWarmWaitJob));
  platform.sleep_for_real = true;
  RunGuest(platform);
  const std::string done = last_whole_line(platform.host_at_power_off);
  ASSERT_TRUE(done.starts_with("RESTORELAB ")) << done;
  const auto fields = nlohmann::ordered_json::parse(done.substr(11));
  const auto& steps = fields.at(std::string(vocab::kFieldStepMs));
  std::vector<std::string> names;
  for (const auto& [name, ms] : steps.items()) {
    names.push_back(name);
    EXPECT_TRUE(ms.is_number_integer()) << name;
    EXPECT_GE(ms.get<int>(), 0) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"diskless_modules", "storage_drivers", "disk_reread", "platform_scan",
                                             "job", "disks_and_unmount"}));
  // The ready point's wait is no step: the steps after it count from the
  // resume (here they take a few milliseconds; the wait took 200).
  EXPECT_LT(steps.at("disk_reread").get<int>(), 5 * vocab::kWarmPollMilliseconds) << done;
}

// The controllers' probes go before the ready point; the VM restored there
// has disk images of its own (of the same sizes), so it drops what the
// kernel read from the builder's and reads each partition table again
// before it looks at a disk.
TEST(GuestRunTest, AWarmStartProbesItsDisksBeforeTheReadyPointAndReadsThemAgainAfterIt) {
  testing::TempRoot root;
  root.Write(fs::path(kModuleListDir) / "base.modules", "ext4.ko\n");
  root.Write(fs::path(kModuleListDir) / "nic.modules", "e1000.ko\n");
  root.Write(fs::path(kModuleListDir) / "drivers" / "ide.modules", "libata.ko\nata_piix.ko\nsd_mod.ko\n");
  root.Write(fs::path(kModuleListDir) / "storage-core" / "ide.modules", "libata.ko\nsd_mod.ko\n");
  for (const char* block : {"sdb", "sda", "sr0", "loop0"}) fs::create_directories(root.path() / "sys/block" / block);
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  platform.earlier_jobs = {std::string(vocab::kWarmWaitJob), std::string(vocab::kWarmWaitJob)};
  RunGuest(platform);
  auto at = [&](const std::string& call) { return std::ranges::find(platform.calls, call) - platform.calls.begin(); };
  const auto ready = platform.sent.find(R"(RESTORELAB {"event":"ready"})" "\n");
  ASSERT_EQ(ready, 0u) << platform.sent;
  for (const char* module : {"ext4.ko", "e1000.ko", "libata.ko", "sd_mod.ko", "ata_piix.ko"})
    EXPECT_LT(at(std::string("load-module ") + module), at("emit")) << module << " after the ready point";
  EXPECT_EQ(std::ranges::count(platform.calls, "load-module libata.ko"), 1) << "loaded once";
  EXPECT_EQ(std::ranges::count(platform.calls, "load-module sd_mod.ko"), 1);
  // The job is read until it is no longer the wait job; then each disk
  // (no CD-ROM, no loop device) is read again, in order.
  const auto first_reread = platform.calls.begin() + at("reread sda");
  ASSERT_NE(first_reread, platform.calls.end());
  EXPECT_EQ(std::count(platform.calls.begin(), first_reread, "read-job"), 3);
  EXPECT_EQ(at("reread sdb"), at("reread sda") + 1);
  EXPECT_EQ(std::ranges::count_if(platform.calls, [](const std::string& c) { return c.starts_with("reread "); }), 2);
  EXPECT_LT(platform.sent.find(R"("event":"kernel-start")"), platform.sent.find(R"("event":"job")"));
  EXPECT_NE(platform.sent.find(R"(RESTORELAB {"event":"boot")"), std::string::npos) << platform.sent;
}

// A disk it cannot read again would leave the builder's partitions in the
// kernel: an error before kernel-start, which the host takes as a state
// that did not restore (it boots the VM cold), never as an outcome.
TEST(GuestRunTest, AWarmStartThatCannotReadItsDisksAgainEndsBeforeKernelStart) {
  testing::TempRoot root;
  fs::create_directories(root.path() / "sys/block/sda");
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  platform.earlier_jobs = {std::string(vocab::kWarmWaitJob)};
  platform.reread_fails = "sda";
  EXPECT_EQ(RunGuest(platform), 1);
  EXPECT_EQ(platform.host_at_power_off.find("kernel-start"), std::string::npos) << platform.host_at_power_off;
  EXPECT_NE(platform.host_at_power_off.find(R"({"event":"error","phase":"resume","error":"re-read partition table of )"),
            std::string::npos)
      << platform.host_at_power_off;
  EXPECT_NE(platform.host_at_power_off.find(R"("event":"done","stopped":true,"error":true)"), std::string::npos);
}

TEST(GuestRunTest, ANicDriverTriedBeforeTheBaseModuleItNeedsLoadsOnceTheBaseListIsIn) {
  // virtio_net needs virtio_ring (base.modules). Loaded first, it was refused,
  // the kernel-start line carried the error, and a warm state kept it.
  testing::TempRoot root;
  root.Write(fs::path(kModuleListDir) / "base.modules", "ext4.ko\nvirtio_ring.ko\nvirtio_pci.ko\n");
  root.Write(fs::path(kModuleListDir) / "nic.modules", "e1000.ko\nvirtio_net.ko\n");
  ModuleDependencyPlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  platform.needs = {{"virtio_net.ko", "virtio_ring.ko"}, {"virtio_pci.ko", "virtio_ring.ko"}};
  platform.held_back = "virtio_ring.ko";
  platform.waits_for = "virtio_net.ko";
  RunGuest(platform);
  EXPECT_TRUE(platform.loaded.contains("virtio_net.ko"));
  EXPECT_NE(platform.sent.find(R"("module_errors":[])"), std::string::npos) << platform.sent;
}

TEST(GuestRunTest, ANicDriverThatCannotLoadIsReportedOnce) {
  testing::TempRoot root;
  root.Write(fs::path(kModuleListDir) / "base.modules", "ext4.ko\n");
  root.Write(fs::path(kModuleListDir) / "nic.modules", "virtio_net.ko\n");
  ModuleDependencyPlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  platform.needs = {{"virtio_net.ko", "virtio_ring.ko"}};  // in no list
  RunGuest(platform);
  const std::string error = "finit_module " + (root.path() / kModuleDir / "virtio_net.ko").string();
  const std::size_t first = platform.sent.find(error);
  ASSERT_NE(first, std::string::npos) << platform.sent;
  EXPECT_EQ(platform.sent.find(error, first + 1), std::string::npos) << platform.sent;
}

TEST(GuestRunTest, AColdStartHasNoReadyPoint) {
  testing::TempRoot root;
  SerialFakePlatform platform(root.path(), "phase=boot\nmachine.hal=acpi-uniprocessor\n");
  RunGuest(platform);
  EXPECT_EQ(platform.sent.find(R"("event":"ready")"), std::string::npos) << platform.sent;
}

TEST(GuestRunTest, AJobWithoutPhaseIsAnError) {
  // What the harness hands a VM whose job it refused: comments only.
  testing::TempRoot root;
  SerialFakePlatform platform(root.path(), "# restorelab refused this job: see the run's error\n");
  EXPECT_EQ(RunGuest(platform), 1);
  EXPECT_NE(platform.host_at_power_off.find(
                R"x(RESTORELAB {"event":"error","phase":"job","error":"the job names no phase (key phase)"})x" "\n"),
            std::string::npos)
      << platform.host_at_power_off;
  EXPECT_EQ(std::ranges::count(platform.calls, "panic"), 0);
}

}  // namespace
}  // namespace restorelab::guest
