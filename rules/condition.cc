// The compiled condition: its program and how it is evaluated (the compiler
// that builds it is condition_compiler.cc).
#include "rules/condition.h"

#include <algorithm>

namespace restorelab {

// ---- evaluation ---------------------------------------------------------------

std::int64_t scalar_of(const Condition::Operand& o, const EvalContext& ctx) {
  using S = Condition::Operand::Source;
  switch (o.source) {
    case S::Const: return o.value;
    case S::Key: return o.key->scalar(*ctx.scenario);
    case S::Outcome: return static_cast<std::int64_t>(ctx.outcome);
    case S::Supported: return ctx.supported;
    case S::Boots: return boots(ctx.outcome);
  }
  return 0;
}

namespace {

std::string_view text_of(const Condition::Operand& o, const EvalContext& ctx) {
  return o.source == Condition::Operand::Source::Const ? std::string_view(o.text)
                                                       : o.key->text(*ctx.scenario);
}

bool texts_equal(std::string_view a, std::string_view b, bool case_insensitive) {
  return case_insensitive ? same_path(a, b) : a == b;
}

bool compare(std::int64_t a, Condition::Cmp cmp, std::int64_t b) {
  switch (cmp) {
    case Condition::Cmp::Eq: return a == b;
    case Condition::Cmp::Ne: return a != b;
    case Condition::Cmp::Lt: return a < b;
    case Condition::Cmp::Le: return a <= b;
    case Condition::Cmp::Gt: return a > b;
    case Condition::Cmp::Ge: return a >= b;
  }
  return false;
}

}  // namespace

bool Condition::eval(const EvalContext& ctx) const {
  bool acc = false;
  const std::size_t end = code_.size();
  for (std::size_t pc = 0; pc < end;) {
    const Instr& i = code_[pc];
    switch (i.kind) {
      case Instr::Kind::KeyCmp: {
        const std::int64_t v = i.offset >= 0 ? read_scalar_at(*ctx.scenario, i.offset, i.width) : i.read(*ctx.scenario);
        acc = compare(v, i.cmp, i.value);
        ++pc;
        break;
      }
      case Instr::Kind::KeyCmpKey:
        acc = compare(read_scalar_at(*ctx.scenario, i.offset, i.width), i.cmp,
                      read_scalar_at(*ctx.scenario, static_cast<std::int32_t>(i.value), i.width2));
        ++pc;
        break;
      case Instr::Kind::KeyInMask: {
        const std::int64_t v = i.offset >= 0 ? read_scalar_at(*ctx.scenario, i.offset, i.width) : i.read(*ctx.scenario);
        acc = v >= 0 && ((i.value >> v) & 1) != 0;
        ++pc;
        break;
      }
      case Instr::Kind::Leaf: acc = eval_leaf(nodes_[static_cast<std::size_t>(i.arg)], ctx); ++pc; break;
      case Instr::Kind::Call:
        if (ctx.helper_memo) {
          std::int8_t& memo = ctx.helper_memo[i.arg];
          if (memo < 0) memo = (*ctx.helpers)[static_cast<std::size_t>(i.arg)].eval(ctx) ? 1 : 0;
          acc = memo != 0;
        } else {
          acc = eval_node(i.node, ctx);
        }
        ++pc;
        break;
      case Instr::Kind::JumpIfFalse: pc = acc ? pc + 1 : static_cast<std::size_t>(i.arg); break;
      case Instr::Kind::JumpIfTrue: pc = acc ? static_cast<std::size_t>(i.arg) : pc + 1; break;
      case Instr::Kind::Not: acc = !acc; ++pc; break;
    }
  }
  return acc;
}

// Emits the program of the subtree at `node`: an expanded helper becomes a
// call (memoised by the engine), a key compared with a constant a fast step.
void Condition::emit(int node, bool top) {
  const Node& n = nodes_[static_cast<std::size_t>(node)];
  if (n.helper >= 0 && !top) {
    code_.push_back({Instr::Kind::Call, Cmp::Eq, n.helper, node, nullptr, 0});
    return;
  }
  using Source = Operand::Source;
  switch (n.op) {
    case Op::And:
    case Op::Or: {
      emit(n.left, false);
      const std::size_t jump = code_.size();
      code_.push_back({n.op == Op::And ? Instr::Kind::JumpIfFalse : Instr::Kind::JumpIfTrue, Cmp::Eq, 0, -1, nullptr, 0});
      emit(n.right, false);
      code_[jump].arg = static_cast<std::int32_t>(code_.size());
      return;
    }
    case Op::Not:
      emit(n.left, false);
      code_.push_back({Instr::Kind::Not, Cmp::Eq, 0, -1, nullptr, 0});
      return;
    case Op::CmpInt:
      if (n.a.source == Source::Key && n.b.source == Source::Const) {
        code_.push_back({Instr::Kind::KeyCmp, n.cmp, 0, -1, n.a.key->scalar, n.b.value, n.a.key->offset, n.a.key->width});
        return;
      }
      if (n.a.source == Source::Key && n.b.source == Source::Key && n.a.key->offset >= 0 && n.b.key->offset >= 0) {
        code_.push_back({Instr::Kind::KeyCmpKey, n.cmp, 0, -1, nullptr, n.b.key->offset, n.a.key->offset,
                         n.a.key->width, n.b.key->width});
        return;
      }
      break;
    case Op::InMask:
      if (n.a.source == Source::Key && n.b.source == Source::Const) {
        code_.push_back({Instr::Kind::KeyInMask, Cmp::Eq, 0, -1, n.a.key->scalar, n.b.value, n.a.key->offset, n.a.key->width});
        return;
      }
      break;
    default:
      break;
  }
  code_.push_back({Instr::Kind::Leaf, Cmp::Eq, node, -1, nullptr, 0});
}

bool Condition::may_hold(const KeyInfo* key, std::int64_t value) const {
  return may_hold_node(root_, key, value) != 0;
}

int Condition::may_hold_node(int index, const KeyInfo* key, std::int64_t value) const {
  constexpr int kUnknown = 2;
  const Node& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.op) {
    case Op::True: return 1;
    case Op::False: return 0;
    case Op::And: {
      const int l = may_hold_node(n.left, key, value);
      if (l == 0) return 0;
      const int r = may_hold_node(n.right, key, value);
      return r == 0 ? 0 : (l == 1 && r == 1 ? 1 : kUnknown);
    }
    case Op::Or: {
      const int l = may_hold_node(n.left, key, value);
      if (l == 1) return 1;
      const int r = may_hold_node(n.right, key, value);
      return r == 1 ? 1 : (l == 0 && r == 0 ? 0 : kUnknown);
    }
    case Op::Not: {
      const int v = may_hold_node(n.left, key, value);
      return v == kUnknown ? kUnknown : 1 - v;
    }
    case Op::CmpInt:
      if (n.a.source == Operand::Source::Key && n.a.key == key && n.b.source == Operand::Source::Const)
        return compare(value, n.cmp, n.b.value) ? 1 : 0;
      return kUnknown;
    case Op::InMask:
      if (n.a.source == Operand::Source::Key && n.a.key == key && n.b.source == Operand::Source::Const)
        return value >= 0 && ((n.b.value >> value) & 1) ? 1 : 0;
      return kUnknown;
    default: return kUnknown;
  }
}

bool Condition::eval_node(int index, const EvalContext& ctx) const {
  const Node& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.op) {
    case Op::And: return eval_node(n.left, ctx) && eval_node(n.right, ctx);
    case Op::Or: return eval_node(n.left, ctx) || eval_node(n.right, ctx);
    case Op::Not: return !eval_node(n.left, ctx);
    default: return eval_leaf(n, ctx);
  }
}

bool Condition::eval_leaf(const Node& n, const EvalContext& ctx) const {
  if (n.op == Op::And || n.op == Op::Or || n.op == Op::Not)
    return eval_node(static_cast<int>(&n - nodes_.data()), ctx);
  return restorelab::eval_leaf(n, ctx);
}

bool eval_leaf(const Condition::Node& n, const EvalContext& ctx) {
  using Op = Condition::Op;
  using Cmp = Condition::Cmp;
  switch (n.op) {
    case Op::True: return true;
    case Op::False: return false;
    case Op::CmpInt: return compare(scalar_of(n.a, ctx), n.cmp, scalar_of(n.b, ctx));
    case Op::InInts: {
      std::int64_t v = scalar_of(n.a, ctx);
      return std::find(n.ints.begin(), n.ints.end(), v) != n.ints.end();
    }
    case Op::InMask: {
      std::int64_t v = scalar_of(n.a, ctx);
      return v >= 0 && ((scalar_of(n.b, ctx) >> v) & 1) != 0;
    }
    case Op::TextCmp: {
      bool equal = texts_equal(text_of(n.a, ctx), text_of(n.b, ctx), n.a.case_insensitive);
      return n.cmp == Cmp::Eq ? equal : !equal;
    }
    case Op::TextInList: {
      std::string_view v = text_of(n.a, ctx);
      const std::vector<std::string>& list = n.b.key ? n.b.key->list(*ctx.scenario) : n.texts;
      return std::any_of(list.begin(), list.end(), [&](const std::string& item) {
        return texts_equal(v, item, n.a.case_insensitive);
      });
    }
    case Op::ListEmpty: {
      const bool empty = n.a.key->type == ValueType::EnumList ? n.a.key->scalar(*ctx.scenario) == 0
                                                               : n.a.key->list(*ctx.scenario).empty();
      return n.cmp == Cmp::Eq ? empty : !empty;
    }
    case Op::And:
    case Op::Or:
    case Op::Not: return false;  // not leaves: Condition::eval_node walks them
  }
  return false;
}

std::vector<const KeyInfo*> Condition::keys() const {
  std::vector<const KeyInfo*> out;
  for (const Node& n : nodes_)
    for (const Operand* o : {&n.a, &n.b})
      if (o->key && std::find(out.begin(), out.end(), o->key) == out.end()) out.push_back(o->key);
  return out;
}

}  // namespace restorelab
