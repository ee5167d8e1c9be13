// The condition language's compiler: lexer, parser and type checker (the
// grammar is in condition.h). It builds a Condition's node tree, expanding
// helpers, and has the Condition emit its program.
#include "rules/condition.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "rules/diagnostic.h"

namespace restorelab {

/// Lets the parser build a Condition's private parts.
struct ConditionAccess {
  static std::vector<Condition::Node>& nodes(Condition& c) { return c.nodes_; }
  static const std::vector<Condition::Node>& nodes(const Condition& c) { return c.nodes_; }
  static bool& reads_prediction(Condition& c) { return c.reads_prediction_; }
  static int root(const Condition& c) { return c.root_; }
};

// ---- lexing -------------------------------------------------------------------

namespace {

struct Token {
  enum class Kind { End, Name, Text, Int, Op, LParen, RParen, LBracket, RBracket, Comma } kind;
  std::string text;
  std::int64_t number = 0;
  std::size_t offset = 0;
};

std::expected<std::vector<Token>, ConditionError> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    std::size_t start = i;
    if (c == '"' || c == '\'') {
      std::size_t end = s.find(c, i + 1);
      if (end == std::string_view::npos)
        return std::unexpected(ConditionError{start, "unterminated text: expected a closing " + std::string(1, c), ""});
      out.push_back({Token::Kind::Text, std::string(s.substr(i + 1, end - i - 1)), 0, start});
      i = end + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::int64_t v = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (v > 1'000'000'000) return std::unexpected(ConditionError{start, "number too large", ""});
        v = v * 10 + (s[i++] - '0');
      }
      out.push_back({Token::Kind::Int, std::string(s.substr(start, i - start)), v, start});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && name_char(s[i])) ++i;
      out.push_back({Token::Kind::Name, std::string(s.substr(start, i - start)), 0, start});
    } else if (c == '(') { out.push_back({Token::Kind::LParen, "(", 0, i++}); }
    else if (c == ')') { out.push_back({Token::Kind::RParen, ")", 0, i++}); }
    else if (c == '[') { out.push_back({Token::Kind::LBracket, "[", 0, i++}); }
    else if (c == ']') { out.push_back({Token::Kind::RBracket, "]", 0, i++}); }
    else if (c == ',') { out.push_back({Token::Kind::Comma, ",", 0, i++}); }
    else if (std::string_view("=!<>").find(c) != std::string_view::npos) {
      std::string op(1, c);
      if (i + 1 < s.size() && s[i + 1] == '=') op += '=';
      if (op == "=" || op == "!")
        return std::unexpected(ConditionError{start, "unexpected \"" + op + "\"; expected ==, !=, <, <=, > or >=",
                                              op == "=" ? "write == to compare" : "write not or !="});
      i += op.size();
      out.push_back({Token::Kind::Op, op, 0, start});
    } else {
      return std::unexpected(ConditionError{start, "unexpected character '" + std::string(1, c) + "'", ""});
    }
  }
  out.push_back({Token::Kind::End, "end of condition", 0, s.size()});
  return out;
}

// ---- parsing and type checking -------------------------------------------------

/// What an operand is before it becomes part of a node.
struct Typed {
  enum class Type { Bool, Int, Enum, Text, TextList, EnumList, Literal, LiteralList, Cond } type;
  Condition::Operand operand;
  const std::vector<std::string_view>* names = nullptr;  ///< Enum, EnumList
  std::vector<Token> literals;                          ///< LiteralList (and Literal: one)
  int node = -1;                                        ///< Cond
  std::size_t offset = 0;
  std::string shown;                                    ///< how the text wrote it
};

const std::vector<std::string_view>& outcome_names() {
  static const std::vector<std::string_view> names(EnumNames<Outcome>::names.begin(),
                                                   EnumNames<Outcome>::names.end());
  return names;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::map<std::string, int>& index,
         const std::vector<Condition>& helpers, Condition& out)
      : tokens_(std::move(tokens)), index_(index), helpers_(helpers), out_(out) {}

  std::expected<int, ConditionError> parse() {
    auto root = parse_or();
    if (!root) return root;
    if (throw_too_large_)
      return fail(0, "the condition is too large (more than " + std::to_string(kMaxConditionNodes) + " terms)");
    if (peek().kind != Token::Kind::End)
      return fail(peek().offset, "unexpected \"" + peek().text + "\"; expected and, or or the end of the condition");
    return root;
  }

 private:
  using Result = std::expected<int, ConditionError>;

  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool accept_name(std::string_view word) {
    if (peek().kind == Token::Kind::Name && peek().text == word) { ++pos_; return true; }
    return false;
  }
  static std::unexpected<ConditionError> fail(std::size_t offset, std::string message, std::string suggestion = {}) {
    return std::unexpected(ConditionError{offset, std::move(message), std::move(suggestion)});
  }

  int add(Condition::Node node) {
    if (ConditionAccess::nodes(out_).size() >= kMaxConditionNodes) throw_too_large_ = true;
    ConditionAccess::nodes(out_).push_back(std::move(node));
    return static_cast<int>(ConditionAccess::nodes(out_).size() - 1);
  }
  int add_logic(Condition::Op op, int left, int right = -1) {
    Condition::Node n;
    n.op = op;
    n.left = left;
    n.right = right;
    return add(std::move(n));
  }

  Result parse_or() {
    auto left = parse_and();
    while (left && accept_name("or")) {
      auto right = parse_and();
      if (!right) return right;
      left = add_logic(Condition::Op::Or, *left, *right);
    }
    return left;
  }
  Result parse_and() {
    auto left = parse_unary();
    while (left && accept_name("and")) {
      auto right = parse_unary();
      if (!right) return right;
      left = add_logic(Condition::Op::And, *left, *right);
    }
    return left;
  }
  Result parse_unary() {
    if (peek().kind == Token::Kind::Name && peek().text == "not") {
      Nest nest(depth_);
      if (auto e = too_deep(peek().offset)) return std::unexpected(*e);
      take();
      auto inner = parse_unary();
      if (!inner) return inner;
      return add_logic(Condition::Op::Not, *inner);
    }
    return parse_compare();
  }

  Result parse_compare() {
    auto left = parse_operand();
    if (!left) return std::unexpected(left.error());
    const Token& t = peek();
    if (t.kind == Token::Kind::Op) {
      take();
      auto right = parse_operand();
      if (!right) return std::unexpected(right.error());
      return build_compare(*left, t, *right);
    }
    bool negate = false;
    if (t.kind == Token::Kind::Name && t.text == "not" && tokens_[pos_ + 1].kind == Token::Kind::Name &&
        tokens_[pos_ + 1].text == "in") {
      take();
      negate = true;
    }
    if (accept_name("in")) {
      auto right = parse_operand();
      if (!right) return std::unexpected(right.error());
      auto node = build_in(*left, *right);
      if (!node || !negate) return node;
      return add_logic(Condition::Op::Not, *node);
    }
    return as_condition(*left);
  }

  Result as_condition(const Typed& t) {
    if (t.type == Typed::Type::Cond) return t.node;
    if (t.type == Typed::Type::Bool) {
      Condition::Node n;
      n.op = Condition::Op::CmpInt;
      n.a = t.operand;
      n.b.value = 1;
      return add(std::move(n));
    }
    if (t.type == Typed::Type::Literal && t.literals[0].kind == Token::Kind::Name)
      return add_logic(t.literals[0].text == "true" ? Condition::Op::True : Condition::Op::False, -1);
    return fail(t.offset, "\"" + t.shown + "\" is not a condition; expected a comparison, a boolean key or a helper call");
  }

  std::expected<Typed, ConditionError> parse_operand() {
    const Token t = take();
    Typed typed;
    typed.offset = t.offset;
    typed.shown = t.text;
    switch (t.kind) {
      case Token::Kind::Text:
      case Token::Kind::Int:
        typed.type = Typed::Type::Literal;
        typed.literals = {t};
        return typed;
      case Token::Kind::LParen: {
        Nest nest(depth_);
        if (auto e = too_deep(t.offset)) return std::unexpected(*e);
        auto inner = parse_or();
        if (!inner) return std::unexpected(inner.error());
        const Token close = take();
        if (close.kind != Token::Kind::RParen)
          return fail(close.offset, "expected \")\", found \"" + close.text + "\"");
        typed.type = Typed::Type::Cond;
        typed.node = *inner;
        return typed;
      }
      case Token::Kind::LBracket: {
        typed.type = Typed::Type::LiteralList;
        if (peek().kind == Token::Kind::RBracket) {
          take();
          typed.shown = "[]";
          return typed;
        }
        while (true) {
          const Token item = take();
          if (item.kind != Token::Kind::Text && item.kind != Token::Kind::Int)
            return fail(item.offset, "expected a text or a number in the list, found \"" + item.text + "\"");
          typed.literals.push_back(item);
          const Token sep = take();
          if (sep.kind == Token::Kind::RBracket) break;
          if (sep.kind != Token::Kind::Comma) return fail(sep.offset, "expected \",\" or \"]\" in the list");
        }
        return typed;
      }
      case Token::Kind::Name:
        return name_operand(t, typed);
      default:
        return fail(t.offset, "expected a key, a value, a helper call or \"(\", found \"" + t.text + "\"");
    }
  }

  std::expected<Typed, ConditionError> name_operand(const Token& t, Typed& typed) {
    if (t.text == "true" || t.text == "false") {
      typed.type = Typed::Type::Literal;
      typed.literals = {t};
      return typed;
    }
    if (peek().kind == Token::Kind::LParen) {
      take();
      if (take().kind != Token::Kind::RParen)
        return fail(t.offset + t.text.size() + 1, "helpers take no arguments; expected \")\"");
      auto it = index_.find(t.text);
      if (it == index_.end()) {
        std::vector<std::string_view> names;
        for (const auto& [name, _] : index_) names.push_back(name);
        return fail(t.offset, "unknown helper \"" + t.text + "\"", did_you_mean(t.text, names));
      }
      const Condition& helper = helpers_[static_cast<std::size_t>(it->second)];
      if (ConditionAccess::nodes(out_).size() + ConditionAccess::nodes(helper).size() > kMaxConditionNodes)
        return fail(t.offset, "the condition is too large once helpers are expanded (more than " +
                                  std::to_string(kMaxConditionNodes) + " terms)");
      typed.type = Typed::Type::Cond;
      typed.node = inline_helper(helper, it->second);
      return typed;
    }
    using S = Condition::Operand::Source;
    if (t.text == "outcome" || t.text == "supported" || t.text == "boots") {
      ConditionAccess::reads_prediction(out_) = true;
      typed.operand.source = t.text == "outcome" ? S::Outcome : t.text == "supported" ? S::Supported : S::Boots;
      typed.type = t.text == "outcome" ? Typed::Type::Enum : Typed::Type::Bool;
      typed.names = &outcome_names();
      return typed;
    }
    const KeyInfo* key = find_key(t.text);
    if (!key) {
      auto names = key_paths(true);
      names.insert(names.end(), {"outcome", "supported", "boots"});
      return fail(t.offset, "unknown key \"" + t.text + "\"", did_you_mean(t.text, names));
    }
    typed.operand.source = S::Key;
    typed.operand.key = key;
    typed.operand.case_insensitive = key->type == ValueType::Path;
    typed.names = &key->enum_names;
    switch (key->type) {
      case ValueType::Bool: typed.type = Typed::Type::Bool; break;
      case ValueType::Int: typed.type = Typed::Type::Int; break;
      case ValueType::Enum: typed.type = Typed::Type::Enum; break;
      case ValueType::String:
      case ValueType::Path: typed.type = Typed::Type::Text; break;
      case ValueType::StringList: typed.type = Typed::Type::TextList; break;
      case ValueType::EnumList: typed.type = Typed::Type::EnumList; break;
    }
    return typed;
  }

  int inline_helper(const Condition& helper, int helper_index) {
    const int base = static_cast<int>(ConditionAccess::nodes(out_).size());
    for (Condition::Node n : ConditionAccess::nodes(helper)) {
      if (n.left >= 0) n.left += base;
      if (n.right >= 0) n.right += base;
      ConditionAccess::nodes(out_).push_back(std::move(n));
    }
    ConditionAccess::reads_prediction(out_) = ConditionAccess::reads_prediction(out_) || helper.reads_prediction();
    ConditionAccess::nodes(out_)[static_cast<std::size_t>(helper.root() + base)].helper = helper_index;
    return helper.root() + base;
  }

  // A literal made into a constant of `like`'s type, or an error.
  std::expected<Condition::Operand, ConditionError> constant(const Token& lit, const Typed& like) {
    Condition::Operand c;
    c.case_insensitive = like.operand.case_insensitive;
    const bool is_bool_word = lit.kind == Token::Kind::Name;
    switch (like.type) {
      case Typed::Type::Bool:
        if (!is_bool_word) return fail(lit.offset, "\"" + like.shown + "\" is a boolean; expected true or false, found " + lit.text);
        c.value = lit.text == "true";
        return c;
      case Typed::Type::Int:
        if (lit.kind != Token::Kind::Int) return fail(lit.offset, "\"" + like.shown + "\" is an integer; expected a number, found \"" + lit.text + "\"");
        c.value = lit.number;
        return c;
      case Typed::Type::Enum:
      case Typed::Type::EnumList: {
        if (lit.kind != Token::Kind::Text) return fail(lit.offset, "\"" + like.shown + "\" takes one of " + join_names(*like.names) + "; found " + lit.text);
        auto it = std::find(like.names->begin(), like.names->end(), lit.text);
        if (it == like.names->end())
          return fail(lit.offset, "\"" + lit.text + "\" is not a value of \"" + like.shown + "\"; expected one of " + join_names(*like.names),
                      did_you_mean(lit.text, *like.names));
        c.value = it - like.names->begin();
        return c;
      }
      case Typed::Type::Text:
      case Typed::Type::TextList:
        if (lit.kind != Token::Kind::Text) return fail(lit.offset, "\"" + like.shown + "\" is text; expected a quoted value, found " + lit.text);
        c.text = lit.text;
        return c;
      default:
        return fail(lit.offset, "cannot compare \"" + lit.text + "\" with \"" + like.shown + "\"");
    }
  }

  static bool is_scalar(Typed::Type t) {
    return t == Typed::Type::Bool || t == Typed::Type::Int || t == Typed::Type::Enum;
  }
  static std::optional<Condition::Cmp> cmp_of(const std::string& op) {
    if (op == "==") return Condition::Cmp::Eq;
    if (op == "!=") return Condition::Cmp::Ne;
    if (op == "<") return Condition::Cmp::Lt;
    if (op == "<=") return Condition::Cmp::Le;
    if (op == ">") return Condition::Cmp::Gt;
    if (op == ">=") return Condition::Cmp::Ge;
    return std::nullopt;
  }

  Result build_compare(Typed left, const Token& op, Typed right) {
    if (left.type == Typed::Type::Literal && right.type != Typed::Type::Literal) std::swap(left, right);
    const Condition::Cmp cmp = *cmp_of(op.text);
    const bool ordered = cmp != Condition::Cmp::Eq && cmp != Condition::Cmp::Ne;
    Condition::Node n;
    n.cmp = cmp;
    n.a = left.operand;
    const bool is_list = left.type == Typed::Type::TextList || left.type == Typed::Type::EnumList;
    if (is_list && right.type == Typed::Type::LiteralList && right.literals.empty() && !ordered) {
      n.op = Condition::Op::ListEmpty;
      return add(std::move(n));
    }
    if (left.type == Typed::Type::Literal || left.type == Typed::Type::LiteralList ||
        left.type == Typed::Type::Cond)
      return fail(left.offset, "expected a key on one side of \"" + op.text + "\", found \"" + left.shown + "\"");
    if (ordered && left.type != Typed::Type::Int && left.type != Typed::Type::Enum)
      return fail(op.offset, "\"" + op.text + "\" orders numbers and enum values; \"" + left.shown + "\" is neither");
    if (right.type == Typed::Type::Literal) {
      auto c = constant(right.literals[0], left);
      if (!c) return std::unexpected(c.error());
      n.b = *c;
    } else {
      const bool same_enum = left.type == Typed::Type::Enum && right.type == Typed::Type::Enum &&
                             *left.names == *right.names;
      const bool same_kind = left.type == right.type && left.type != Typed::Type::Enum;
      if (!(same_enum || same_kind) || left.type == Typed::Type::TextList || left.type == Typed::Type::EnumList)
        return fail(right.offset, "cannot compare \"" + left.shown + "\" with \"" + right.shown + "\": they hold different kinds of value");
      n.b = right.operand;
      n.a.case_insensitive = left.operand.case_insensitive || right.operand.case_insensitive;
    }
    if (is_scalar(left.type)) {
      n.op = Condition::Op::CmpInt;
    } else if (left.type == Typed::Type::Text) {
      if (ordered) return fail(op.offset, "text compares with == and != only");
      n.op = Condition::Op::TextCmp;
    } else {
      return fail(left.offset, "\"" + left.shown + "\" is a list; use \"in\" to test membership");
    }
    return add(std::move(n));
  }

  Result build_in(const Typed& left, const Typed& right) {
    Condition::Node n;
    n.a = left.operand;
    if (right.type == Typed::Type::LiteralList) {
      if (right.literals.empty()) return fail(right.offset, "\"in []\" is never true; expected a list with values");
      if (left.type == Typed::Type::Enum || left.type == Typed::Type::Bool) {
        n.op = Condition::Op::InMask;
        for (const Token& lit : right.literals) {
          auto c = constant(lit, left);
          if (!c) return std::unexpected(c.error());
          n.b.value |= std::int64_t{1} << c->value;
        }
      } else if (left.type == Typed::Type::Int) {
        n.op = Condition::Op::InInts;
        for (const Token& lit : right.literals) {
          auto c = constant(lit, left);
          if (!c) return std::unexpected(c.error());
          n.ints.push_back(c->value);
        }
      } else if (left.type == Typed::Type::Text) {
        n.op = Condition::Op::TextInList;
        for (const Token& lit : right.literals) {
          auto c = constant(lit, left);
          if (!c) return std::unexpected(c.error());
          n.texts.push_back(c->text);
        }
      } else {
        return fail(left.offset, "\"" + left.shown + "\" cannot be tested with \"in\" a list");
      }
      return add(std::move(n));
    }
    if (right.type == Typed::Type::EnumList) {
      n.op = Condition::Op::InMask;
      n.b = right.operand;
      if (left.type == Typed::Type::Literal) {
        auto c = constant(left.literals[0], right);
        if (!c) return std::unexpected(c.error());
        n.a = *c;
      } else if (left.type != Typed::Type::Enum || *left.names != *right.names) {
        return fail(left.offset, "\"" + left.shown + "\" is not a value of \"" + right.shown + "\"");
      }
      return add(std::move(n));
    }
    if (right.type == Typed::Type::TextList) {
      n.op = Condition::Op::TextInList;
      n.b = right.operand;
      if (left.type == Typed::Type::Literal) {
        auto c = constant(left.literals[0], right);
        if (!c) return std::unexpected(c.error());
        n.a = *c;
      } else if (left.type != Typed::Type::Text) {
        return fail(left.offset, "\"" + right.shown + "\" holds text; \"" + left.shown + "\" is not text");
      }
      return add(std::move(n));
    }
    return fail(right.offset, "expected a list or a list key after \"in\", found \"" + right.shown + "\"");
  }

  // Nesting beyond kMaxConditionDepth is refused before it can exhaust the stack.
  struct Nest {
    explicit Nest(int& depth) : depth_(depth) { ++depth_; }
    ~Nest() { --depth_; }
    int& depth_;
  };
  std::optional<ConditionError> too_deep(std::size_t offset) const {
    if (depth_ <= kMaxConditionDepth) return std::nullopt;
    return ConditionError{offset, "the condition nests deeper than " + std::to_string(kMaxConditionDepth) +
                                      " levels", "use a helper for a part of it"};
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool throw_too_large_ = false;
  const std::map<std::string, int>& index_;
  const std::vector<Condition>& helpers_;
  Condition& out_;
};

}  // namespace

void ConditionCompiler::define_helper(const std::string& name, Condition condition) {
  if (auto it = index_.find(name); it != index_.end()) {
    helpers_[static_cast<std::size_t>(it->second)] = std::move(condition);
    return;
  }
  index_[name] = static_cast<int>(helpers_.size());
  helpers_.push_back(std::move(condition));
}

std::expected<Condition, ConditionError> ConditionCompiler::compile(std::string_view text) const {
  auto tokens = lex(text);
  if (!tokens) return std::unexpected(tokens.error());
  if (tokens->size() == 1) return std::unexpected(ConditionError{0, "empty condition; expected an expression such as restore.kind == \"bmr\"", ""});
  Condition out;
  out.text_ = std::string(text);
  Parser parser(std::move(*tokens), index_, helpers_, out);
  auto root = parser.parse();
  if (!root) return std::unexpected(root.error());
  out.root_ = *root;
  out.emit(out.root_, true);
  return out;
}

}  // namespace restorelab
