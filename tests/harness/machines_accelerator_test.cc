#include "harness/machines/accelerator.h"

#include <gtest/gtest.h>

#include <map>

namespace restorelab::machines {
namespace {

using namespace std::chrono_literals;

/// Answers each accelerator with a fixed outcome and records the probes run.
class FakeProbeRunner final : public ProbeRunner {
 public:
  std::map<Accelerator, ProbeOutcome> outcomes;
  std::vector<Accelerator> ran;
  ProbeOutcome run(Accelerator accel, std::chrono::milliseconds) override {
    ran.push_back(accel);
    return outcomes.at(accel);
  }
};

const ProbeOutcome kPass{true, "exit status 33", 50ms};
const ProbeOutcome kKvmBroken{false, "KVM internal error. Suberror: 1", 40ms};

TEST(AcceleratorTest, AutoPrefersWorkingKvm) {
  FakeProbeRunner probes;
  probes.outcomes = {{Accelerator::Kvm, kPass}, {Accelerator::Tcg, kPass}};
  auto choice = choose_accelerator(probes, AcceleratorPreference::Auto);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->accelerator, Accelerator::Kvm);
  EXPECT_EQ(probes.ran, std::vector<Accelerator>{Accelerator::Kvm});
  EXPECT_EQ(choice->plain(), "kvm: hardware virtualization");
  EXPECT_FALSE(choice->kvm_refused());
  EXPECT_EQ(choice->probes_text(), "kvm probe: exit status 33 after 50 ms");
}

TEST(AcceleratorTest, AutoFallsBackToTcgWhenKvmCannotRunTheProbe) {
  FakeProbeRunner probes;
  probes.outcomes = {{Accelerator::Kvm, kKvmBroken}, {Accelerator::Tcg, kPass}};
  auto choice = choose_accelerator(probes, AcceleratorPreference::Auto);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->accelerator, Accelerator::Tcg);
  EXPECT_EQ(domain_type_for(choice->accelerator), DomainType::Qemu);
  EXPECT_EQ(choice->plain(), "tcg: QEMU's software emulation, as KVM cannot run guests on this host")
      << "the line says which accelerator runs, not the probes' details";
  EXPECT_TRUE(choice->kvm_refused());
  EXPECT_EQ(choice->probes_text(), "kvm probe: KVM internal error. Suberror: 1 after 40 ms; "
                                   "tcg probe: exit status 33 after 50 ms");
}

TEST(AcceleratorTest, ForcedTcgDoesNotProbeKvm) {
  FakeProbeRunner probes;
  probes.outcomes = {{Accelerator::Tcg, kPass}};
  auto choice = choose_accelerator(probes, AcceleratorPreference::Tcg);
  ASSERT_TRUE(choice);
  EXPECT_EQ(probes.ran, std::vector<Accelerator>{Accelerator::Tcg});
  EXPECT_EQ(choice->plain(), "tcg: QEMU's software emulation");
}

TEST(AcceleratorTest, ForcedKvmThatFailsIsAnError) {
  FakeProbeRunner probes;
  probes.outcomes = {{Accelerator::Kvm, kKvmBroken}};
  auto choice = choose_accelerator(probes, AcceleratorPreference::Kvm);
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.error().message, "no accelerator can run the probe guest: kvm: KVM internal "
                                    "error. Suberror: 1 after 40 ms");
}

TEST(AcceleratorTest, NothingWorksIsAnError) {
  FakeProbeRunner probes;
  probes.outcomes = {{Accelerator::Kvm, {false, "Could not access KVM kernel module", 5ms}},
                     {Accelerator::Tcg, {false, "cannot run qemu-system-x86_64: No such file", 1ms}}};
  auto choice = choose_accelerator(probes, AcceleratorPreference::Auto);
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.error().message,
            "no accelerator can run the probe guest: kvm: Could not access KVM kernel module "
            "after 5 ms; tcg: cannot run qemu-system-x86_64: No such file after 1 ms");
}

TEST(AcceleratorTest, ProbeFirmwareHasTheResetVectorAtTheEnd) {
  const auto image = probe_firmware();
  ASSERT_EQ(image.size(), 64u * 1024);
  EXPECT_EQ(image[0xfff0], 0xe9);  // jmp near
  // The jump lands on entry16 (cli) at 0xf026.
  const int target = 0xfff3 + static_cast<std::int16_t>(image[0xfff1] | (image[0xfff2] << 8));
  EXPECT_EQ(target & 0xffff, 0xf026);
  EXPECT_EQ(image[0xf026], 0xfa);
}

TEST(AcceleratorTest, MissingQemuFailsTheProbe) {
  QemuProbeRunner runner("restorelab-no-such-qemu");
  const ProbeOutcome outcome = runner.run(Accelerator::Tcg, 500ms);
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.detail, "cannot run restorelab-no-such-qemu: No such file or directory");
}

TEST(AcceleratorTest, AProbeProgramThatFailsIsDescribedByItsFirstLineOrItsExitStatus) {
  // `false` prints nothing and exits 1; `sleep` refuses QEMU's first option.
  const ProbeOutcome silent = QemuProbeRunner("false").run(Accelerator::Tcg, 5000ms);
  EXPECT_FALSE(silent.passed);
  EXPECT_EQ(silent.detail, "exit status 1");
  const ProbeOutcome refused = QemuProbeRunner("sleep").run(Accelerator::Tcg, 5000ms);
  EXPECT_FALSE(refused.passed);
  EXPECT_EQ(refused.detail, "sleep: invalid option -- 'a'");
}

}  // namespace
}  // namespace restorelab::machines
