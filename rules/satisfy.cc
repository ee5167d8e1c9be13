#include "rules/satisfy.h"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

#include "rules/cross_key_rules.h"
#include "rules/keys.h"
#include "rules/satisfy_domains.h"
#include "rules/validate.h"

namespace restorelab {

namespace {

using namespace satisfy_detail;

constexpr std::size_t kMaxVars = 128;
using Mask = std::bitset<kMaxVars>;
using Op = Condition::Op;

enum class Tri : std::uint8_t { False, True, Unknown };

/// A cross-key rule (cross_key_rules.h) over the search's variables: checked
/// as soon as every variable it reads is set.
struct Constraint {
  const CrossKeyRule* rule = nullptr;
  Mask vars;
  bool holds(const Scenario& s) const { return !rule->applies(s) || rule->holds(s, *rule); }
};

// ---- the search ---------------------------------------------------------------------

struct FNode {
  enum class Kind : std::uint8_t { Leaf, And, Or, Not } kind = Kind::Leaf;
  const Condition::Node* leaf = nullptr;
  int left = -1, right = -1;
  Mask deps;  ///< Leaf: the variables it reads
};

class Search {
 public:
  Search(std::span<const SatTerm> terms, const SatOptions& options)
      : terms_(terms), options_(options), scenario_(baseline_scenario()) {
    ctx_.scenario = &scenario_;
  }

  SatResult run() {
    SatResult result;
    if (!build()) {
      result.unknown_reason = unknown_reason_;
      return result;
    }
    if (search()) {
      result.status = Satisfiability::Satisfiable;
      result.witness = witness();
    } else if (steps_ > options_.budget) {
      result.unknown_reason = "the search exceeded its budget of " + std::to_string(options_.budget) + " steps";
    } else if (!unknown_reason_.empty()) {
      result.unknown_reason = unknown_reason_;
    } else {
      result.status = Satisfiability::Unsatisfiable;
    }
    result.steps = steps_;
    return result;
  }

 private:
  // -- building: formula, variables, domains, constraints
  bool build() {
    if (all_keys().size() + 2 > kMaxVars) {  // every key, outcome and supported
      unknown_reason_ = "the scenario model has more keys than the search handles";
      return false;
    }
    std::vector<int> roots;
    for (const SatTerm& t : terms_) {
      int r = convert(*t.condition, t.condition->root());
      if (r < 0) return false;
      if (t.negated) r = add({FNode::Kind::Not, nullptr, r, -1, {}});
      roots.push_back(r);
    }
    root_ = roots.empty() ? -1 : roots[0];
    for (std::size_t i = 1; i < roots.size(); ++i) root_ = add({FNode::Kind::And, nullptr, root_, roots[i], {}});
    if (root_ >= 0) collect_reads(root_);
    if (options_.valid_only) add_validity_vars();
    make_domains();
    if (options_.valid_only) add_constraints();
    choice_.assign(vars_.size(), -1);
    return true;
  }

  int add(FNode n) {
    nodes_.push_back(n);
    return static_cast<int>(nodes_.size() - 1);
  }

  int convert(const Condition& c, int index) {
    const Condition::Node& n = c.nodes()[static_cast<std::size_t>(index)];
    if (n.op == Op::And || n.op == Op::Or) {
      const int l = convert(c, n.left), r = convert(c, n.right);
      if (l < 0 || r < 0) return -1;
      return add({n.op == Op::And ? FNode::Kind::And : FNode::Kind::Or, nullptr, l, r, {}});
    }
    if (n.op == Op::Not) {
      const int l = convert(c, n.left);
      return l < 0 ? -1 : add({FNode::Kind::Not, nullptr, l, -1, {}});
    }
    FNode leaf{FNode::Kind::Leaf, &n, -1, -1, {}};
    for (const Condition::Operand* o : {&n.a, &n.b}) {
      const int v = var_of(*o);
      if (v == -2) return -1;
      if (v >= 0) leaf.deps.set(static_cast<std::size_t>(v));
    }
    return add(leaf);
  }

  /// The variable an operand reads: its index, -1 for none, -2 for a key
  /// this search cannot handle.
  int var_of(const Condition::Operand& o) {
    if (o.source == Source::Const && !o.key) return -1;
    Source source = o.source == Source::Boots ? Source::Outcome : o.source;
    const KeyInfo* key = nullptr;
    if (source == Source::Key) {
      key = base_of(*o.key);
      if (!key) {
        unknown_reason_ = "the condition reads \"" + o.key->path + "\", a derived key the search does not know";
        return -2;
      }
    }
    return find_or_add_var(source, key, true);
  }

  int find_or_add_var(Source source, const KeyInfo* key, bool read) {
    for (std::size_t i = 0; i < vars_.size(); ++i)
      if (vars_[i].source == source && vars_[i].key == key) return static_cast<int>(i);
    Var v;
    v.source = source;
    v.key = key;
    v.read = read;
    vars_.push_back(std::move(v));
    return static_cast<int>(vars_.size() - 1);
  }

  /// Orders the read variables as the conditions first read them (pre-order).
  void collect_reads(int index) {
    const FNode& n = nodes_[static_cast<std::size_t>(index)];
    if (n.kind == FNode::Kind::Leaf) {
      for (std::size_t v = 0; v < vars_.size(); ++v)
        if (n.deps.test(v) && std::find(order_.begin(), order_.end(), static_cast<int>(v)) == order_.end())
          order_.push_back(static_cast<int>(v));
      return;
    }
    if (n.left >= 0) collect_reads(n.left);
    if (n.right >= 0) collect_reads(n.right);
  }

  void add_validity_vars() {
    for (const KeyInfo& k : all_keys())
      if (!k.derived && validity_role(k)) find_or_add_var(Source::Key, &k, false);
  }

  void add_constraints() {
    // A rule over a key the search leaves at its baseline value (valid) is
    // kept by every completion: only rules whose keys are all variables count.
    for (const CrossKeyRule& rule : cross_key_rules()) {
      Constraint c{&rule, {}};
      const bool searched = std::all_of(rule.reads.begin(), rule.reads.end(), [&](const std::string& path) {
        const int v = index_of_key(find_key(path));
        if (v >= 0) c.vars.set(static_cast<std::size_t>(v));
        return v >= 0;
      });
      if (searched) constraints_.push_back(c);
    }
    for (std::size_t c = 0; c < constraints_.size(); ++c)
      for (std::size_t v = 0; v < vars_.size(); ++v)
        if (constraints_[c].vars.test(v)) vars_[v].constraints.push_back(static_cast<int>(c));
  }

  void make_domains() {
    std::vector<const Condition::Node*> leaves;
    for (const FNode& f : nodes_)
      if (f.kind == FNode::Kind::Leaf) leaves.push_back(f.leaf);
    satisfy_detail::make_domains(leaves, vars_, members_, unknown_reason_);
  }

  int index_of_key(const KeyInfo* key) const {
    for (std::size_t i = 0; i < vars_.size(); ++i)
      if (vars_[i].source == Source::Key && vars_[i].key == key) return static_cast<int>(i);
    return -1;
  }

  // -- evaluating and assigning
  /// Three-valued evaluation on the assigned variables. `relevant` collects
  /// the unassigned variables whose leaves can still change the value: the
  /// leaves under nodes that are still unknown.
  Tri eval3(int index, Mask& relevant) const {
    const FNode& n = nodes_[static_cast<std::size_t>(index)];
    switch (n.kind) {
      case FNode::Kind::Leaf: {
        const Mask open = n.deps & ~assigned_;
        if (open.none()) return eval_leaf(*n.leaf, ctx_) ? Tri::True : Tri::False;
        relevant |= open;
        return Tri::Unknown;
      }
      case FNode::Kind::Not: {
        const Tri t = eval3(n.left, relevant);
        return t == Tri::Unknown ? t : t == Tri::True ? Tri::False : Tri::True;
      }
      case FNode::Kind::And:
      case FNode::Kind::Or: {
        const Tri absorbing = n.kind == FNode::Kind::And ? Tri::False : Tri::True;
        Mask left_open, right_open;
        const Tri l = eval3(n.left, left_open);
        if (l == absorbing) return l;
        const Tri r = eval3(n.right, right_open);
        if (r == absorbing) return r;
        relevant |= left_open;
        relevant |= right_open;
        return l == Tri::Unknown || r == Tri::Unknown ? Tri::Unknown : l;
      }
    }
    return Tri::Unknown;
  }
  Tri formula(Mask& relevant) const { return root_ < 0 ? Tri::True : eval3(root_, relevant); }
  Tri formula() const {
    Mask relevant;
    return formula(relevant);
  }

  /// Sets variable `v` to its `i`th value; false when a cross-key rule whose
  /// variables are all set is broken.
  bool assign(int v, int i) {
    ++steps_;
    const Var& var = vars_[static_cast<std::size_t>(v)];
    const Value& value = var.domain[static_cast<std::size_t>(i)];
    if (var.source == Source::Outcome) ctx_.outcome = static_cast<Outcome>(std::get<std::int64_t>(value));
    else if (var.source == Source::Supported) ctx_.supported = std::get<bool>(value);
    else if (ends_with(var.key->path, ".os.upgraded_from") && std::get<std::int64_t>(value) < 0)
      (starts_with(var.key->path, "source.") ? scenario_.source : scenario_.destination).os.upgraded_from.reset();
    else var.key->set(scenario_, value);
    assigned_.set(static_cast<std::size_t>(v));
    choice_[static_cast<std::size_t>(v)] = i;
    for (int c : var.constraints) {
      const Constraint& con = constraints_[static_cast<std::size_t>(c)];
      if ((con.vars & ~assigned_).none() && !con.holds(scenario_)) return false;
    }
    return true;
  }
  void unassign(int v) {
    assigned_.reset(static_cast<std::size_t>(v));
    choice_[static_cast<std::size_t>(v)] = -1;
  }

  /// Value symmetry: of the values of a class no key of the component uses
  /// yet, only the first needs trying (any solution maps onto one that does).
  bool worth_trying(int v, std::size_t k) const {
    const Var& var = vars_[static_cast<std::size_t>(v)];
    const int cls = var.classes[k];
    if (cls < 0) return true;
    std::vector<bool> used(var.domain.size());
    for (int m : members_.at(var.component))
      if (const int c = choice_[static_cast<std::size_t>(m)]; c >= 0) used[static_cast<std::size_t>(c)] = true;
    if (used[k]) return true;
    for (std::size_t j = 0; j < k; ++j)
      if (var.classes[j] == cls && !used[j]) return false;
    return true;
  }
  bool over_budget() const { return steps_ > options_.budget; }

  bool search() {
    Mask relevant;
    const Tri t = formula(relevant);
    if (t == Tri::False) return false;
    if (t == Tri::True) return complete();
    return branch(relevant);
  }

  /// Tries the values of the first variable, in reading order, that can
  /// still change the conditions' value. The others wait for complete().
  bool branch(const Mask& relevant) {
    int v = -1;
    for (int x : order_)
      if (relevant.test(static_cast<std::size_t>(x)) &&
          (v < 0 || vars_[static_cast<std::size_t>(x)].domain.size() < vars_[static_cast<std::size_t>(v)].domain.size()))
        v = x;
    for (std::size_t k = 0; k < vars_[static_cast<std::size_t>(v)].domain.size() && !over_budget(); ++k) {
      if (!worth_trying(v, k)) continue;
      if (assign(v, static_cast<int>(k))) {
        Mask next;
        const Tri t = formula(next);
        // True: every completion holds; complete() tries them all, so its
        // failure rules out every extension of this assignment.
        if (t == Tri::True && complete()) return true;
        if (t == Tri::Unknown && branch(next)) return true;
      }
      unassign(v);
    }
    return false;
  }

  /// Gives every unset variable a value, group by group (the groups share no
  /// cross-key rule), then checks the scenario for real.
  bool complete() {
    forcing_ = assigned_;
    std::map<int, std::vector<int>> groups;
    for (std::size_t v = 0; v < vars_.size(); ++v)
      if (!assigned_.test(v)) groups[vars_[v].group].push_back(static_cast<int>(v));
    std::vector<int> done;
    for (const auto& [group, members] : groups) {
      if (!complete_group(members, 0)) {
        for (int v : done) unassign(v);
        return false;
      }
      done.insert(done.end(), members.begin(), members.end());
    }
    if (accept()) return true;
    for (int v : done) unassign(v);
    return false;
  }

  bool complete_group(const std::vector<int>& members, std::size_t i) {
    if (i == members.size()) return true;
    const int v = members[i];
    for (std::size_t k = 0; k < vars_[static_cast<std::size_t>(v)].domain.size() && !over_budget(); ++k) {
      if (assign(v, static_cast<int>(k)) && complete_group(members, i + 1)) return true;
      unassign(v);
    }
    return false;
  }

  /// The final word: the real conditions and the real validator.
  bool accept() {
    for (const SatTerm& t : terms_)
      if (t.condition->eval(ctx_) == t.negated) {
        unknown_reason_ = "internal: the search's evaluation of \"" + t.condition->text() + "\" disagrees with Condition::eval";
        return false;
      }
    if (options_.valid_only && !is_valid(scenario_)) {
      const auto problems = validate(scenario_);
      unknown_reason_ = "internal: a scenario the search completed is not valid";
      if (!problems.empty()) unknown_reason_ += ": " + problems.front().key + ": " + problems.front().message;
      return false;
    }
    return true;
  }

  Witness witness() {
    Witness w;
    w.scenario = scenario_;
    w.outcome = ctx_.outcome;
    w.supported = ctx_.supported;
    // Drop what the conditions do not need to hold, in reading order.
    Mask keep = forcing_;
    for (int v : order_) {
      if (!keep.test(static_cast<std::size_t>(v))) continue;
      const Mask saved = assigned_;
      keep.reset(static_cast<std::size_t>(v));
      assigned_ = keep;
      if (formula() != Tri::True) keep.set(static_cast<std::size_t>(v));
      assigned_ = saved;
    }
    for (int v : order_)
      if (keep.test(static_cast<std::size_t>(v))) {
        const Var& var = vars_[static_cast<std::size_t>(v)];
        const std::string name = var.source == Source::Outcome ? "outcome"
                                 : var.source == Source::Supported ? "supported" : var.key->path;
        w.brief.emplace_back(name, show(var, ctx_));
      }
    return w;
  }

  std::span<const SatTerm> terms_;
  SatOptions options_;
  Scenario scenario_;
  EvalContext ctx_;
  std::vector<FNode> nodes_;
  int root_ = -1;
  std::vector<Var> vars_;
  std::vector<int> order_;  ///< read variables in reading order
  std::vector<Constraint> constraints_;
  std::map<int, std::vector<int>> members_;  ///< read variables per component
  std::vector<int> choice_;                  ///< per variable: its value's index, or -1
  Mask assigned_, forcing_;
  std::size_t steps_ = 0;
  std::string unknown_reason_;
};

}  // namespace

std::string Witness::describe(std::size_t max_pairs) const {
  std::string out;
  for (std::size_t i = 0; i < brief.size() && i < max_pairs; ++i)
    out += (i ? ", " : "") + brief[i].first + " = " + brief[i].second;
  if (brief.size() > max_pairs) out += ", ...";
  return out;
}

Scenario baseline_scenario() {
  Scenario s;
  s.name = "witness";
  s.backup = BackupKind::SystemState;
  resolve_defaults(s);
  s.defaulted.source = {false, false, false, {false, false, false, false}};
  s.defaulted.destination = s.defaulted.source;
  s.defaulted.destination_machine = false;
  s.defaulted.destination_os = false;
  s.defaulted.offline = false;
  return s;
}

SatResult satisfy(std::span<const SatTerm> terms, const SatOptions& options) {
  return Search(terms, options).run();
}

SatResult satisfy(const Condition& condition, const SatOptions& options) {
  const SatTerm term{&condition, false};
  return satisfy(std::span<const SatTerm>(&term, 1), options);
}

}  // namespace restorelab
