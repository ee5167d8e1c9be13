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
struct EvalContext {
  const Scenario* scenario = nullptr;
  Outcome outcome = Outcome::Boots;
  bool supported = true;
};

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
  };

  bool eval(const EvalContext& ctx) const { return eval_node(root_, ctx); }

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

  std::vector<Node> nodes_;
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
  bool has_helper(const std::string& name) const { return helpers_.contains(name); }
  std::vector<std::string> helper_names() const;

  std::expected<Condition, ConditionError> compile(std::string_view text) const;

 private:
  std::map<std::string, Condition> helpers_;
};

/// The value of an operand (for lint and tests).
std::int64_t scalar_of(const Condition::Operand& operand, const EvalContext& ctx);

}  // namespace restorelab
