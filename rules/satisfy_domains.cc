#include "rules/satisfy_domains.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "rules/cross_key_rules.h"

namespace restorelab::satisfy_detail {

namespace {

using Op = Condition::Op;

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

/// Builds the domains of one search (make_domains()).
class Domains {
 public:
  Domains(const std::vector<const Condition::Node*>& leaves, std::vector<Var>& vars,
          std::map<int, std::vector<int>>& members, std::string& unknown_reason)
      : leaves_(leaves), vars_(vars), members_(members), unknown_reason_(unknown_reason) {}

  void run() {
    std::vector<int> parent(vars_.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto unite = [&](int a, int b) { parent[static_cast<std::size_t>(find_root(parent, a))] = find_root(parent, b); };
    struct Note { int var; std::vector<std::int64_t> ints; std::vector<std::string> texts; bool ordered = false, with_list = false; };
    std::vector<Note> notes;
    for (const Condition::Node* leaf : leaves_) {
      const Condition::Node& n = *leaf;
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

  int index_of(const Condition::Operand& o) const { return satisfy_detail::index_of(vars_, o); }

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

 private:
  static int find_root(const std::vector<int>& parent, int v) {
    while (parent[static_cast<std::size_t>(v)] != v) v = parent[static_cast<std::size_t>(v)];
    return v;
  }

  const std::vector<const Condition::Node*>& leaves_;
  std::vector<Var>& vars_;
  std::map<int, std::vector<int>>& members_;
  std::string& unknown_reason_;
};

}  // namespace

bool validity_role(const KeyInfo& key) { return relates_keys(key.path); }

const KeyInfo* base_of(const KeyInfo& key) {
  if (!key.derived) return &key;
  const std::string& p = key.path;
  const std::string side = starts_with(p, "source.") ? "source" : "destination";
  if (ends_with(p, ".acpi") || ends_with(p, ".apic") || ends_with(p, ".uniprocessor"))
    return find_key(side + ".hal");
  if (ends_with(p, ".os.nt5")) return find_key(side + ".os.version");
  return nullptr;
}

int index_of(const std::vector<Var>& vars, const Condition::Operand& o) {
  Source source = o.source == Source::Boots ? Source::Outcome : o.source;
  const KeyInfo* key = source == Source::Key ? base_of(*o.key) : nullptr;
  for (std::size_t i = 0; i < vars.size(); ++i)
    if (vars[i].source == source && vars[i].key == key) return static_cast<int>(i);
  return -1;
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

void make_domains(const std::vector<const Condition::Node*>& leaves, std::vector<Var>& vars,
                  std::map<int, std::vector<int>>& members, std::string& unknown_reason) {
  Domains(leaves, vars, members, unknown_reason).run();
}

}  // namespace restorelab::satisfy_detail
