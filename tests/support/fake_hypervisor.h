// A Hypervisor for unit tests only: domains live in memory, every call is
// recorded, and faults can be injected (a failing call, a domain that fails to
// start, crashes, powers off or hangs). Never what a user runs.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/machines/hypervisor.h"

namespace restorelab::machines {

class FakeHypervisor final : public Hypervisor {
 public:
  /// What a domain does once started.
  enum class Behaviour {
    Hang,       ///< keeps running until destroyed (the default)
    PowerOff,   ///< the guest powers off: shut off (shutdown)
    Crash,      ///< the guest panics (pvpanic, on_crash=destroy): shut off (crashed)
    FailStart,  ///< QEMU does not start: start() fails, shut off (failed)
    Die,        ///< QEMU is killed once started: shut off (failed), event stopped/failed
  };

  struct Domain {
    std::string xml;
    DomainStatus status{DomainState::Shutoff, "unknown"};
    bool persistent = true;
  };

  /// Thread-safe: a campaign drives several domains at once. Every call in order: "define NAME", "start NAME", "status NAME",
  /// "next_event NAME", "destroy NAME", "undefine NAME", "list_domains PREFIX",
  /// "screenshot NAME PATH". Failed calls are recorded too.
  std::vector<std::string> calls() const;
  /// The domains that exist now, by name.
  std::map<std::string, Domain, std::less<>> domains() const;

  /// The next call of `op` (the first word of its calls() entry) fails with
  /// `error`, once. Several faults for one op are used in order.
  void fail_next(std::string op, Error error);
  /// What domain `name` does when started (or restored); a name ending in
  /// '*' sets it for every domain whose name begins with the rest. A domain
  /// whose fw_cfg job is the warm-start wait job (job_vocabulary.h) does what
  /// the model guest does with it: prints `ready` to its serial log and runs.
  void set_behaviour(std::string name, Behaviour behaviour);
  /// What the guest of `name` does at each start, in order (the last one
  /// repeats): its serial output, written to the serial log file of the
  /// domain's XML as a real guest would, and then `behaviour`.
  struct Boot {
    std::string serial;
    Behaviour behaviour = Behaviour::PowerOff;
  };
  void script(std::string name, std::vector<Boot> boots);
  /// How many times `name` was started.
  int starts(std::string_view name) const;
  /// A domain left by an earlier run: defined, and running when `running`.
  void add_leftover(std::string name, bool running);

  Result<std::string> define(std::string_view xml) override;
  Status start(std::string_view name) override;
  Result<DomainStatus> status(std::string_view name) override;
  /// Returns a queued event at once; with none queued, sleeps for `timeout`
  /// (as the real one waits) and returns nullopt.
  Result<std::optional<LifecycleEvent>> next_event(std::string_view name,
                                                   std::chrono::milliseconds timeout) override;
  Status destroy(std::string_view name) override;
  Status undefine(std::string_view name) override;
  Result<std::vector<std::string>> list_domains(std::string_view prefix) override;
  /// Writes a 1x1 black PNG.
  Status screenshot(std::string_view name, const std::filesystem::path& png) override;
  /// Writes kStateMagic and the domain's XML to `file`; the domain stops ("saved").
  Status save(std::string_view name, const std::filesystem::path& file) override;
  /// A file that does not begin with kStateMagic is refused as libvirt
  /// refuses a corrupt state. The restored domain then does what a started
  /// one of its name does (set_behaviour, script), as a transient domain;
  /// `paused`: it stays paused ("started restored") and does it on resume().
  Status restore(const std::filesystem::path& file, std::string_view xml, bool paused) override;
  /// A paused restored domain runs as restore() would have run it.
  Status resume(std::string_view name) override;
  Result<std::string> versions() override;
  /// What versions() returns from now on.
  void set_versions(std::string versions);

  static constexpr std::string_view kStateMagic = "FakeSavedState\n";

 private:
  /// Records the call; returns the injected fault for `op`, if any.
  std::optional<Error> record(std::string_view op, std::string_view args);
  Result<Domain*> find(std::string_view name, std::string_view doing);
  void emit(std::string_view name, std::string event, std::string detail);
  /// Runs a started or restored domain as scripted; `how`: the started event's detail.
  Status boot(std::string_view name, Domain& d, const std::string& how);

  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
  std::map<std::string, std::vector<Boot>, std::less<>> scripts_;
  std::map<std::string, int, std::less<>> starts_;
  std::map<std::string, Domain, std::less<>> domains_;
  std::map<std::string, Behaviour, std::less<>> behaviours_;
  std::map<std::string, std::deque<Error>, std::less<>> faults_;
  std::map<std::string, std::deque<LifecycleEvent>, std::less<>> events_;
  std::string version_ = "libvirt 9000000, hypervisor 7002022";
};

}  // namespace restorelab::machines
