#include "rules/satisfy.h"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

#include "rules/keys.h"
#include "rules/validate.h"

namespace restorelab {

namespace {

constexpr std::size_t kMaxVars = 128;
using Mask = std::bitset<kMaxVars>;
using Op = Condition::Op;
using Source = Condition::Operand::Source;

enum class Tri : std::uint8_t { False, True, Unknown };

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

/// Keys the model's cross-key rules read: always searched, read or not.
bool validity_role(const KeyInfo& key) {
  static constexpr std::string_view kSuffixes[] = {".hal", ".firmware", ".cpus", ".os.version",
                                                   ".os.edition", ".os.upgraded_from"};
  if (key.path == "backup.kind" || key.path == "restore.kind" || key.path == "restore.after") return true;
  return std::any_of(std::begin(kSuffixes), std::end(kSuffixes),
                     [&](std::string_view s) { return ends_with(key.path, s); });
}

/// The key a derived key is computed from, or nullptr for one this file
/// does not know.
const KeyInfo* base_of(const KeyInfo& key) {
  if (!key.derived) return &key;
  const std::string& p = key.path;
  const std::string side = starts_with(p, "source.") ? "source" : "destination";
  if (ends_with(p, ".acpi") || ends_with(p, ".apic") || ends_with(p, ".uniprocessor"))
    return find_key(side + ".hal");
  if (ends_with(p, ".os.nt5")) return find_key(side + ".os.version");
  return nullptr;
}

// ---- the model's cross-key rules (a copy of validate.cc's, for pruning) ---------

bool valid_drive(std::string_view d) {
  return d.size() == 2 && std::isalpha(static_cast<unsigned char>(d[0])) && d[1] == ':';
}
bool valid_path(std::string_view p) { return p.size() >= 3 && valid_drive(p.substr(0, 2)) && p[2] == '\\'; }
bool digits_only(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

struct Constraint {
  enum class Kind { UniCpus, MultiCpus, AcpiAfterNt5, BiosForNt5, Edition, UpgradedFrom, Drive, Path,
                    Hotfixes, AfterNeedsSystemState, PushButtonResetVersion, BackupHoldsRestore } kind;
  int side = 0;                  ///< 0 source, 1 destination
  const KeyInfo* key = nullptr;  ///< Drive, Path, Hotfixes
  Mask vars;

  bool holds(const Scenario& s) const {
    const Machine& m = side == 0 ? s.source : s.destination;
    switch (kind) {
      case Kind::UniCpus: return !hal_is_uniprocessor(m.hal) || m.cpus == 1;
      case Kind::MultiCpus: return !hal_is_multiprocessor(m.hal) || m.cpus >= 2;
      case Kind::AcpiAfterNt5: return is_nt5(m.os.version) || hal_has_acpi(m.hal);
      case Kind::BiosForNt5: return !is_nt5(m.os.version) || m.firmware != Firmware::Uefi;
      case Kind::Edition: return version_has_edition(m.os.version, m.os.edition);
      case Kind::UpgradedFrom: return !m.os.upgraded_from || *m.os.upgraded_from < m.os.version;
      case Kind::Drive: return valid_drive(key->text(s));
      case Kind::Path: return valid_path(key->text(s));
      case Kind::Hotfixes: {
        const auto& list = key->list(s);
        return std::all_of(list.begin(), list.end(), digits_only);
      }
      case Kind::AfterNeedsSystemState:
        return s.restore.after == PriorRestore::None || s.restore.kind == RestoreKind::SystemState;
      case Kind::PushButtonResetVersion:
        return s.restore.kind != RestoreKind::PushButtonReset || s.source.os.version == OsVersion::Win81 ||
               s.source.os.version == OsVersion::Win10;
      case Kind::BackupHoldsRestore:
        if (s.restore.kind == RestoreKind::PushButtonReset) return s.backup == BackupKind::None;
        return s.backup != BackupKind::None && static_cast<int>(s.restore.kind) <= static_cast<int>(s.backup);
    }
    return false;
  }
};

// ---- variables and their domains ---------------------------------------------------

struct Var {
  Source source = Source::Key;   ///< Key, Outcome or Supported
  const KeyInfo* key = nullptr;
  bool read = false;
  int group = 0;                 ///< completion group
  std::vector<Value> domain;
  /// Per value: -1, or a class of values the conditions and the model cannot
  /// tell apart (for every key of the component alike): symmetric choices.
  std::vector<int> classes;
  int component = -1;            ///< keys compared with each other share one
  std::vector<int> constraints;  ///< indices into the search's constraints
};

/// What the conditions say about a set of keys compared with each other.
struct Component {
  std::set<std::int64_t> ints;     ///< constants (ints, enum indices)
  std::set<std::int64_t> cuts;     ///< integer range ends and the model's thresholds
  std::vector<std::string> texts;  ///< literals
  int scalars = 0;                 ///< members that are not lists
  bool ordered = false;            ///< compared with < <= > >=
  bool constrained = false;        ///< a member is read by the model's cross-key rules
  bool with_enum_list = false;     ///< tested against an enum-list key
  std::set<std::string> kinds;     ///< fresh-value kinds: drive, path, digits, free
};

std::string text_kind(const KeyInfo& key) {
  if (ends_with(key.path, ".systemdrive")) return "drive";
  if (key.type == ValueType::Path) return "path";
  if (ends_with(key.path, ".hotfixes")) return "digits";
  return "free";
}

/// `count` values of `kind` that are valid for it and equal no literal.
std::vector<std::string> fresh_values(const std::string& kind, int count, const std::vector<std::string>& literals) {
  std::vector<std::string> out;
  for (int i = 1; static_cast<int>(out.size()) < count && i < 24; ++i) {  // drives D: to Z:
    std::string v = kind == "drive"  ? std::string(1, static_cast<char>('C' + i)) + ":"
                     : kind == "path" ? "C:\\RESTORELAB" + std::to_string(i)
                     : kind == "digits" ? std::to_string(9000000 + i)
                                        : "fresh-" + std::to_string(i);
    if (std::none_of(literals.begin(), literals.end(), [&](const std::string& l) { return same_path(l, v); }))
      out.push_back(std::move(v));
  }
  return out;
}

/// The kind of a value fresh_values() made.
std::string text_kind_of_fresh(const std::string& v) {
  if (v.size() == 2) return "drive";
  if (starts_with(v, "C:\\RESTORELAB")) return "path";
  if (starts_with(v, "fresh-")) return "free";
  return "digits";
}

template <class E>
std::vector<Value> enum_values(std::initializer_list<E> first, std::size_t count) {
  std::vector<Value> out;
  for (E e : first) out.emplace_back(static_cast<std::int64_t>(e));
  for (std::size_t i = 0; i < count; ++i)
    if (std::none_of(first.begin(), first.end(), [&](E e) { return static_cast<std::size_t>(e) == i; }))
      out.emplace_back(static_cast<std::int64_t>(i));
  return out;
}

/// The values a validity key takes when the conditions do not read it, most
/// likely to complete a valid scenario first.
std::vector<Value> completion_domain(const KeyInfo& key) {
  const std::string& p = key.path;
  if (ends_with(p, ".os.version")) return enum_values({OsVersion::Ws2003}, enum_count<OsVersion>());
  if (ends_with(p, ".hal")) return enum_values({Hal::AcpiUniprocessor}, enum_count<Hal>());
  if (ends_with(p, ".firmware")) return enum_values<Firmware>({}, enum_count<Firmware>());
  if (ends_with(p, ".cpus")) return {Value(std::int64_t{1}), Value(std::int64_t{2})};
  if (ends_with(p, ".os.edition")) return enum_values({Edition::Standard}, enum_count<Edition>());
  if (ends_with(p, ".os.upgraded_from")) return {Value(std::int64_t{-1})};
  if (p == "restore.after") return {Value(std::int64_t{0})};
  if (p == "restore.kind") return enum_values<RestoreKind>({}, enum_count<RestoreKind>());
  if (p == "backup.kind") return enum_values<BackupKind>({}, enum_count<BackupKind>());
  return {};
}

// ---- showing values ---------------------------------------------------------------

std::string quote_text(std::string_view s) {
  const char q = s.find('\\') != std::string_view::npos ? '\'' : '"';
  return q + std::string(s) + q;
}
std::string quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? ", " : "") + quote_text(item);
  return out + "]";
}

std::string show(const Var& v, const EvalContext& ctx) {
  if (v.source == Source::Outcome) return quote_text(name_of(ctx.outcome));
  if (v.source == Source::Supported) return ctx.supported ? "true" : "false";
  const KeyInfo& k = *v.key;
  const Scenario& s = *ctx.scenario;
  switch (k.type) {
    case ValueType::Bool: return k.scalar(s) ? "true" : "false";
    case ValueType::Int: return std::to_string(k.scalar(s));
    case ValueType::Enum: {
      const std::int64_t n = k.scalar(s);
      return n >= 0 && static_cast<std::size_t>(n) < k.enum_names.size()
                 ? quote_text(k.enum_names[static_cast<std::size_t>(n)]) : "(none)";
    }
    case ValueType::EnumList: {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < k.enum_names.size(); ++i)
        if ((k.scalar(s) >> i) & 1) names.emplace_back(k.enum_names[i]);
      return quote_list(names);
    }
    case ValueType::String:
    case ValueType::Path: return quote_text(k.text(s));
    case ValueType::StringList: return quote_list(k.list(s));
  }
  return "";
}

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

  static int find_root(const std::vector<int>& parent, int v) {
    while (parent[static_cast<std::size_t>(v)] != v) v = parent[static_cast<std::size_t>(v)];
    return v;
  }

  void make_domains() {
    std::vector<int> parent(vars_.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto unite = [&](int a, int b) { parent[static_cast<std::size_t>(find_root(parent, a))] = find_root(parent, b); };
    struct Note { int var; std::vector<std::int64_t> ints; std::vector<std::string> texts; bool ordered = false, with_list = false; };
    std::vector<Note> notes;
    for (const FNode& f : nodes_) {
      if (f.kind != FNode::Kind::Leaf) continue;
      const Condition::Node& n = *f.leaf;
      const int a = n.a.source == Source::Const && !n.a.key ? -1 : index_of(n.a);
      const int b = n.b.source == Source::Const && !n.b.key ? -1 : index_of(n.b);
      if (a >= 0 && b >= 0) unite(a, b);
      const bool ordered = n.cmp != Condition::Cmp::Eq && n.cmp != Condition::Cmp::Ne &&
                           (n.op == Op::CmpInt);
      Note note{a >= 0 ? a : b, {}, {}, ordered, n.op == Op::InMask && b >= 0};
      if (note.var < 0) continue;
      switch (n.op) {
        case Op::CmpInt: if (b < 0) note.ints.push_back(n.b.value); break;
        case Op::InInts: note.ints = n.ints; break;
        case Op::InMask:
          if (b < 0) for (int bit = 0; bit < 63; ++bit) if ((n.b.value >> bit) & 1) note.ints.push_back(bit);
          break;
        case Op::TextCmp: if (b < 0) note.texts.push_back(n.b.text); break;
        case Op::TextInList:
          if (a < 0) note.texts.push_back(n.a.text);
          else if (b < 0) note.texts = n.texts;
          break;
        default: break;
      }
      notes.push_back(std::move(note));
    }
    std::map<int, Component> components;
    for (const Note& note : notes) {
      Component& c = components[find_root(parent, note.var)];
      c.ints.insert(note.ints.begin(), note.ints.end());
      for (const auto& t : note.texts)
        if (std::find(c.texts.begin(), c.texts.end(), t) == c.texts.end()) c.texts.push_back(t);
      c.ordered = c.ordered || note.ordered;
      c.with_enum_list = c.with_enum_list || note.with_list;
    }
    for (std::size_t i = 0; i < vars_.size(); ++i) {
      const Var& v = vars_[i];
      Component& c = components[find_root(parent, static_cast<int>(i))];
      if (v.key && v.key->type != ValueType::StringList && v.key->type != ValueType::EnumList) ++c.scalars;
      if (v.key && (v.key->type == ValueType::Path || v.key->type == ValueType::String ||
                    v.key->type == ValueType::StringList))
        c.kinds.insert(text_kind(*v.key));
      if (v.key && v.key->type == ValueType::Int) {
        c.cuts.insert(v.key->min);
        c.cuts.insert(v.key->max);
        if (ends_with(v.key->path, ".cpus")) c.cuts.insert({1, 2});
      }
      if (v.key && validity_role(*v.key)) c.constrained = true;
    }
    for (std::size_t i = 0; i < vars_.size(); ++i) {
      Var& v = vars_[i];
      v.group = group_of(v, static_cast<int>(i));
      if (!v.read) {
        v.domain = completion_domain(*v.key);
        v.classes.assign(v.domain.size(), -1);
        continue;
      }
      v.component = find_root(parent, static_cast<int>(i));
      v.domain = read_domain(v, components[v.component], v.classes);
      members_[v.component].push_back(static_cast<int>(i));
    }
    // Symmetry holds only when every member draws from the same values.
    for (const auto& [component, members] : members_) {
      const Var& first = vars_[static_cast<std::size_t>(members[0])];
      const bool same = std::all_of(members.begin(), members.end(), [&](int m) {
        const Var& v = vars_[static_cast<std::size_t>(m)];
        return v.domain == first.domain && v.classes == first.classes;
      });
      if (!same)
        for (int m : members) std::fill(vars_[static_cast<std::size_t>(m)].classes.begin(), vars_[static_cast<std::size_t>(m)].classes.end(), -1);
    }
  }

  int index_of(const Condition::Operand& o) {
    Source source = o.source == Source::Boots ? Source::Outcome : o.source;
    const KeyInfo* key = source == Source::Key ? base_of(*o.key) : nullptr;
    for (std::size_t i = 0; i < vars_.size(); ++i)
      if (vars_[i].source == source && vars_[i].key == key) return static_cast<int>(i);
    return -1;
  }

  int group_of(const Var& v, int index) const {
    if (!v.key || !validity_role(*v.key)) return 2 + index;
    return starts_with(v.key->path, "destination.") ? 1 : 0;
  }

  std::vector<Value> read_domain(const Var& v, const Component& c, std::vector<int>& classes) {
    std::vector<Value> out = read_values(v, c);
    classes.assign(out.size(), -1);
    if (!v.key) return out;
    const KeyInfo& k = *v.key;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (k.type == ValueType::Enum && !(c.ordered || c.constrained || c.with_enum_list) &&
          !c.ints.contains(std::get<std::int64_t>(out[i])))
        classes[i] = 0;
      if (k.type == ValueType::Int && !c.ordered && !c.ints.contains(std::get<std::int64_t>(out[i])))
        classes[i] = std::get<std::int64_t>(out[i]) >= 2 && ends_with(k.path, ".cpus") ? 1 : 0;
      if ((k.type == ValueType::String || k.type == ValueType::Path) &&
          std::find(c.texts.begin(), c.texts.end(), std::get<std::string>(out[i])) == c.texts.end()) {
        const auto kind = c.kinds.find(text_kind_of_fresh(std::get<std::string>(out[i])));
        classes[i] = static_cast<int>(std::distance(c.kinds.begin(), kind));
      }
    }
    return out;
  }

  std::vector<Value> read_values(const Var& v, const Component& c) {
    std::vector<Value> out;
    if (v.source == Source::Outcome) {
      for (std::size_t i = 0; i < enum_count<Outcome>(); ++i) out.emplace_back(static_cast<std::int64_t>(i));
      return out;
    }
    if (v.source == Source::Supported) return {Value(true), Value(false)};
    const KeyInfo& k = *v.key;
    const int members = std::max(1, c.scalars);
    switch (k.type) {
      case ValueType::Bool: return {Value(false), Value(true)};
      case ValueType::Int: {
        std::set<std::int64_t> values;
        if (c.ordered) {
          // Around every cut point, enough values to order `members` keys.
          std::set<std::int64_t> cuts = c.ints;
          cuts.insert(c.cuts.begin(), c.cuts.end());
          for (std::int64_t t : cuts)
            for (std::int64_t d = -members; d <= members; ++d)
              if (t + d >= k.min && t + d <= k.max) values.insert(t + d);
        } else {
          // Only == and !=: per range the model treats alike (cpus: 1 and
          // 2 or more), its constants and `members` other values.
          const bool cpus = ends_with(k.path, ".cpus");
          const std::pair<std::int64_t, std::int64_t> cells[] = {{k.min, cpus ? 1 : k.max}, {2, cpus ? k.max : 1}};
          for (const auto& [lo, hi] : cells) {
            for (std::int64_t x : c.ints)
              if (x >= lo && x <= hi) values.insert(x);
            int extra = members;
            for (std::int64_t x = lo; x <= hi && extra > 0; ++x)
              if (!c.ints.contains(x)) {
                values.insert(x);
                --extra;
              }
          }
        }
        for (std::int64_t x : values) out.emplace_back(x);
        return out;
      }
      case ValueType::Enum: {
        std::vector<std::int64_t> values;
        if (ends_with(k.path, ".os.upgraded_from")) values.push_back(-1);
        std::size_t count = k.enum_names.size();
        if (k.path == "backup.kind") count = enum_count<BackupKind>();  // "none": no [backup] table
        int extra = members;
        for (std::size_t i = 0; i < count; ++i) {
          const auto x = static_cast<std::int64_t>(i);
          const bool constant = c.ints.contains(x);
          if (c.ordered || c.constrained || c.with_enum_list || constant || extra-- > 0) values.push_back(x);
        }
        for (std::int64_t x : values) out.emplace_back(x);
        return out;
      }
      case ValueType::EnumList:
        for (std::int64_t m = 0; m < (std::int64_t{1} << k.enum_names.size()); ++m) out.emplace_back(m);
        return out;
      case ValueType::String:
      case ValueType::Path: {
        for (const auto& t : c.texts) out.emplace_back(t);
        for (const auto& kind : c.kinds)
          for (auto& f : fresh_values(kind, members, c.texts)) out.emplace_back(std::move(f));
        return out;
      }
      case ValueType::StringList: {
        std::vector<std::string> universe = c.texts;
        if (c.scalars > 0 || universe.empty())
          for (const auto& kind : c.scalars > 0 ? c.kinds : std::set<std::string>{text_kind(k)})
            for (auto& f : fresh_values(kind, c.scalars > 0 ? members : 1, c.texts)) universe.push_back(std::move(f));
        if (universe.size() <= 4) {
          for (std::size_t m = 0; m < (std::size_t{1} << universe.size()); ++m) {
            std::vector<std::string> subset;
            for (std::size_t j = 0; j < universe.size(); ++j)
              if ((m >> j) & 1) subset.push_back(universe[j]);
            out.emplace_back(std::move(subset));
          }
        } else {
          out.emplace_back(std::vector<std::string>{});
          for (const auto& u : universe) out.emplace_back(std::vector<std::string>{u});
          out.emplace_back(universe);
          unknown_reason_ = "\"" + k.path + "\" is tested against " + std::to_string(universe.size()) +
                            " values; only some of its subsets were tried";
        }
        return out;
      }
    }
    return out;
  }

  void add_constraints() {
    auto var = [&](const std::string& path) { return index_of_key(find_key(path)); };
    auto add_c = [&](Constraint::Kind kind, int side, const KeyInfo* key, std::initializer_list<int> vs) {
      Constraint c{kind, side, key, {}};
      for (int v : vs) {
        if (v < 0) return;
        c.vars.set(static_cast<std::size_t>(v));
      }
      constraints_.push_back(c);
    };
    using K = Constraint::Kind;
    for (int side = 0; side < 2; ++side) {
      const std::string p = side == 0 ? "source." : "destination.";
      const int hal = var(p + "hal"), cpus = var(p + "cpus"), fw = var(p + "firmware");
      const int version = var(p + "os.version"), edition = var(p + "os.edition"), upg = var(p + "os.upgraded_from");
      add_c(K::UniCpus, side, nullptr, {hal, cpus});
      add_c(K::MultiCpus, side, nullptr, {hal, cpus});
      add_c(K::AcpiAfterNt5, side, nullptr, {version, hal});
      add_c(K::BiosForNt5, side, nullptr, {version, fw});
      add_c(K::Edition, side, nullptr, {version, edition});
      add_c(K::UpgradedFrom, side, nullptr, {version, upg});
      for (const char* path : {"os.systemroot", "os.ad.database", "os.ad.logs", "os.ad.frs_database", "os.ad.frs_logs"})
        add_c(K::Path, side, find_key(p + path), {var(p + path)});
      add_c(K::Drive, side, find_key(p + "os.systemdrive"), {var(p + "os.systemdrive")});
      add_c(K::Hotfixes, side, find_key(p + "os.hotfixes"), {var(p + "os.hotfixes")});
    }
    add_c(K::AfterNeedsSystemState, 0, nullptr, {var("restore.after"), var("restore.kind")});
    add_c(K::PushButtonResetVersion, 0, nullptr, {var("restore.kind"), var("source.os.version")});
    add_c(K::BackupHoldsRestore, 0, nullptr, {var("restore.kind"), var("backup.kind")});
    for (std::size_t c = 0; c < constraints_.size(); ++c)
      for (std::size_t v = 0; v < vars_.size(); ++v)
        if (constraints_[c].vars.test(v)) vars_[v].constraints.push_back(static_cast<int>(c));
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
