// The rulebook's condition language, compiled once when the rulebook loads.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | compare
//   compare := operand [("==" | "!=" | "<" | "<=" | ">" | ">=") operand
//                      | ["not"] "in" (list | operand)]
//   operand := key | literal | helper "(" ")" | "(" expr ")"
//   literal := "text" | 'text' | integer | true | false
//   list    := "[" [literal ("," literal)*] "]"
//
// Keys are the scenario keys of keys.h (`source.hal`, `restore.kind`, the
// derived `source.acpi`, `source.uniprocessor`, `source.os.nt5`, ...) plus
// the prediction so far: `outcome`, `supported` and `boots` (outcome is boots
// or boots-degraded). Text compared with an enum key must name one of its
// values; enum keys order as the spec lists their values. A list key
// compares only with [] (`source.os.filter_drivers != []`). Paths compare
// without regard to letter case. Helpers are named conditions of the rulebook.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/keys.h"
#include "rules/model.h"

namespace restorelab {

/// What a condition reads: the scenario and, for rules that look at the
/// prediction (`reads_prediction()`), the outcome and support decided so far.
class Condition;
struct EvalContext {
  const Scenario* scenario = nullptr;
  Outcome outcome = Outcome::Boots;
  bool supported = true;
  /// Optional memo of helper results for one scenario (and one phase): entry
  /// i is -1 until helper i is evaluated, then 0 or 1. With it, a helper that
  /// many rules call is evaluated once; without it, helpers are evaluated in
  /// place. `helpers` must be the compiler's helpers() when the memo is set.
  std::int8_t* helper_memo = nullptr;
  const std::vector<Condition>* helpers = nullptr;
};

/// Limits that keep hostile rulebooks from exhausting the stack or memory.
constexpr int kMaxConditionDepth = 64;       ///< nested parentheses and `not`s in one text
constexpr std::size_t kMaxConditionNodes = 4096;  ///< nodes once helpers are expanded

/// A compiled condition. Cheap to copy; evaluation allocates nothing.
class Condition {
 public:
  enum class Op : std::uint8_t {
    True, False,
    CmpInt,        ///< int/enum/bool operand `cmp` int/enum/bool operand
    InInts,        ///< int operand in a list of ints
    InMask,        ///< enum operand in a bit mask (a literal list or an enum-list key)
    TextCmp,       ///< text operand ==/!= text operand
    TextInList,    ///< text operand in a literal list or a string-list key
    ListEmpty,     ///< a list key ==/!= [] (empty or not)
    And, Or, Not,
  };
  enum class Cmp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

  /// A value a node reads.
  struct Operand {
    enum class Source : std::uint8_t { Const, Key, Outcome, Supported, Boots } source = Source::Const;
    const KeyInfo* key = nullptr;
    std::int64_t value = 0;      ///< Const: the number, enum index or mask
    std::string text;            ///< Const text
    bool case_insensitive = false;
  };

  struct Node {
    Op op = Op::True;
    Cmp cmp = Cmp::Eq;
    Operand a, b;
    std::vector<std::int64_t> ints;     ///< InInts
    std::vector<std::string> texts;     ///< TextInList with a literal list
    int left = -1, right = -1;          ///< children of And/Or/Not
    int helper = -1;                    ///< the root of helper number `helper`, expanded here
  };

  /// Evaluates the compiled instructions (short-circuiting, no recursion but
  /// into helpers).
  bool eval(const EvalContext& ctx) const;

  /// Whether the condition can hold when `key` has `value` and nothing else
  /// is known (three-valued evaluation): false means it never holds then.
  bool may_hold(const KeyInfo* key, std::int64_t value) const;

  /// True when it reads `outcome`, `supported` or `boots`.
  bool reads_prediction() const { return reads_prediction_; }
  /// Every scenario key it reads, in first-use order, without duplicates.
  std::vector<const KeyInfo*> keys() const;
  const std::vector<Node>& nodes() const { return nodes_; }
  int root() const { return root_; }
  const std::string& text() const { return text_; }

 private:
  friend class ConditionCompiler;
  friend struct ConditionAccess;
  bool eval_node(int index, const EvalContext& ctx) const;
  bool eval_leaf(const Node& n, const EvalContext& ctx) const;
  int may_hold_node(int index, const KeyInfo* key, std::int64_t value) const;  ///< 0, 1, or 2 = unknown
  void emit(int node, bool top);

  /// One step of the flat program `eval` runs over an accumulator.
  struct Instr {
    enum class Kind : std::uint8_t { KeyCmp, KeyCmpKey, KeyInMask, Leaf, Call, JumpIfFalse, JumpIfTrue, Not } kind;
    Cmp cmp = Cmp::Eq;
    std::int32_t arg = 0;     ///< Leaf: node; Call: helper; jumps: target
    std::int32_t node = -1;   ///< Call: the expanded helper's root, used without a memo
    std::int64_t (*read)(const Scenario&) = nullptr;  ///< KeyCmp, KeyInMask without an offset
    std::int64_t value = 0;   ///< KeyCmp: the constant; KeyInMask: the mask
    std::int32_t offset = -1; ///< KeyCmp, KeyInMask: KeyInfo::offset (KeyCmpKey: the left key's)
    std::uint8_t width = 0;
    std::uint8_t width2 = 0;  ///< KeyCmpKey: the right key's width; its offset is in `value`
  };

  std::vector<Node> nodes_;
  std::vector<Instr> code_;
  int root_ = -1;
  bool reads_prediction_ = false;
  std::string text_;
};

/// A compile error at a byte offset of the condition text.
struct ConditionError {
  std::size_t offset = 0;
  std::string message;
  std::string suggestion;
};

/// Compiles condition text; knows the helpers defined so far.
class ConditionCompiler {
 public:
  /// Makes `name()` usable in later conditions.
  void define_helper(const std::string& name, Condition condition);
  bool has_helper(const std::string& name) const { return index_.contains(name); }
  std::vector<std::string> helper_names() const;
  /// The helpers in definition order (EvalContext::helpers).
  const std::vector<Condition>& helpers() const { return helpers_; }

  std::expected<Condition, ConditionError> compile(std::string_view text) const;

 private:
  std::map<std::string, int> index_;
  std::vector<Condition> helpers_;
};

/// The value of an operand (for lint and tests).
std::int64_t scalar_of(const Condition::Operand& operand, const EvalContext& ctx);

/// Evaluates one leaf node (any op but And, Or and Not): the engine's and
/// the satisfiability search's single definition of what a leaf means.
bool eval_leaf(const Condition::Node& leaf, const EvalContext& ctx);

}  // namespace restorelab
