#include "rules/behaviour_cover.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

namespace restorelab {

namespace {

/// splitmix64 of the seed and a combination: the tie-break between members
/// that hold as many new pairs.
std::uint64_t mix(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed * 0x9e3779b97f4a7c15ULL + index + 0x632be59bd9b4e019ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct PredictionHash {
  std::size_t operator()(const Prediction& p) const {
    std::uint64_t h = (p.supported ? 1u : 0u) | static_cast<std::uint64_t>(p.outcome) << 1 |
                      static_cast<std::uint64_t>(p.cpus_used.value_or(-1) + 1) << 8 |
                      static_cast<std::uint64_t>(p.actions.bits()) << 24;
    for (std::uint32_t r : p.fired) h = mix(h, r);
    return static_cast<std::size_t>(mix(h, p.fired.size()));
  }
};

/// The greedy state: which demanded pairs no row holds yet.
class Uncovered {
 public:
  Uncovered(const PairSpace& space, const std::vector<bool>& held) : space_(space), open_(held) {
    remaining_ = static_cast<std::uint64_t>(std::count(open_.begin(), open_.end(), true));
  }
  std::uint64_t gain(const Choice& c) const {
    std::uint64_t n = 0;
    space_.for_each(c, [&](std::size_t p) { n += open_[p]; });
    return n;
  }
  void take(const Choice& c) {
    space_.for_each(c, [&](std::size_t p) {
      if (open_[p]) {
        open_[p] = false;
        --remaining_;
      }
    });
  }
  std::uint64_t remaining() const { return remaining_; }

 private:
  const PairSpace& space_;
  std::vector<bool> open_;
  std::uint64_t remaining_ = 0;
};

}  // namespace

std::uint64_t estimate_behaviour_bytes(const Matrix& m) {
  const std::uint64_t n = m.size();
  if (n == UINT64_MAX || n > UINT64_MAX / kBehaviourBytesPerCombination) return UINT64_MAX;
  return n * kBehaviourBytesPerCombination;
}

PairSpace::PairSpace(const Matrix& m) {
  for (const Axis& a : m.axes) sizes_.push_back(a.values.size());
  for (std::size_t i = 0; i < sizes_.size(); ++i)
    for (std::size_t j = i + 1; j < sizes_.size(); ++j) {
      offsets_.push_back(total_);
      total_ += sizes_[i] * sizes_[j];
    }
}

std::string PairSpace::describe(const Matrix& m, std::size_t pair) const {
  for (std::size_t i = 0, k = 0; i < sizes_.size(); ++i)
    for (std::size_t j = i + 1; j < sizes_.size(); ++j, ++k) {
      const std::size_t width = sizes_[i] * sizes_[j];
      if (pair < offsets_[k] || pair >= offsets_[k] + width) continue;
      const std::size_t at = pair - offsets_[k];
      return m.axes[i].key + "=" + m.axes[i].labels[at / sizes_[j]] + ", " + m.axes[j].key + "=" +
             m.axes[j].labels[at % sizes_[j]];
    }
  return "?";
}

Choice choice_of(const Matrix& m, std::uint32_t index) {
  Choice c(m.axes.size(), 0);
  for (std::size_t i = m.axes.size(); i > 0; --i) {
    const std::size_t n = m.axes[i - 1].values.size();
    c[i - 1] = static_cast<std::uint8_t>(index % n);
    index = static_cast<std::uint32_t>(index / n);
  }
  return c;
}

BehaviourClasses classify_behaviours(const Matrix& m, const Engine& engine) {
  BehaviourClasses out;
  const PairSpace space(m);
  out.pair_held.assign(space.size(), false);
  std::unordered_map<Prediction, std::uint32_t, PredictionHash> index;
  const MatrixExpander expander(m);
  Scenario s;
  Prediction p;
  std::uint32_t at = 0;
  expander.for_each([&](const Choice& c) {
    const std::uint32_t combination = at++;
    switch (expander.build(c, s)) {
      case MatrixExpander::Status::Invalid: ++out.invalid; return;
      case MatrixExpander::Status::Excluded: ++out.excluded; return;
      case MatrixExpander::Status::Valid: break;
    }
    engine.predict(s, p);
    auto [it, fresh] = index.try_emplace(p, static_cast<std::uint32_t>(out.classes.size()));
    if (fresh) out.classes.push_back(BehaviourClass{p, 0, static_cast<std::uint32_t>(out.combination.size())});
    ++out.classes[it->second].members;
    out.combination.push_back(combination);
    out.class_of.push_back(it->second);
    space.for_each(c, [&](std::size_t pair) { out.pair_held[pair] = true; });
  });
  out.pairs_held = static_cast<std::uint64_t>(std::count(out.pair_held.begin(), out.pair_held.end(), true));
  return out;
}

BehaviourCover cover_behaviours(const Matrix& m, const BehaviourClasses& classes, std::uint64_t seed,
                                const std::vector<bool>& preferred) {
  BehaviourCover out;
  const PairSpace space(m);
  Uncovered open(space, classes.pair_held);
  const std::size_t n = classes.classes.size();

  // The members of each class, grouped (a counting sort of the positions).
  std::vector<std::uint32_t> start(n + 1, 0);
  for (std::uint32_t c : classes.class_of) ++start[c + 1];
  for (std::size_t c = 0; c < n; ++c) start[c + 1] += start[c];
  std::vector<std::uint32_t> members(classes.class_of.size());
  {
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    for (std::uint32_t at = 0; at < classes.class_of.size(); ++at) members[next[classes.class_of[at]]++] = at;
  }

  // Smallest classes first: they have the fewest members to choose from.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t c = 0; c < n; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return classes.classes[a].members < classes.classes[b].members;
  });
  std::vector<std::uint32_t> picked(n);
  Choice c;
  for (std::uint32_t k : order) {
    std::uint64_t best_gain = 0, best_tie = 0;
    std::uint32_t best = members[start[k]];
    bool any = false;
    const bool only_preferred =
        !preferred.empty() && std::any_of(members.begin() + start[k], members.begin() + start[k + 1],
                                          [&](std::uint32_t at) { return preferred[at]; });
    for (std::uint32_t at = start[k]; at < start[k + 1]; ++at) {
      if (only_preferred && !preferred[members[at]]) continue;
      const std::uint32_t index = classes.combination[members[at]];
      c = choice_of(m, index);
      const std::uint64_t gain = open.gain(c), tie = mix(seed, index);
      if (!any || gain > best_gain || (gain == best_gain && tie < best_tie)) {
        best_gain = gain, best_tie = tie, best = members[at], any = true;
      }
    }
    picked[k] = classes.combination[best];
    open.take(choice_of(m, picked[k]));
  }
  for (std::uint32_t k = 0; k < n; ++k) {
    out.rows.push_back(choice_of(m, picked[k]));
    out.row_class.push_back(k);
  }
  out.class_rows = n;

  // Pairs the representatives left: lazy greedy over every valid combination
  // (a combination's gain only falls as rows are taken, so a stale gain is an
  // upper bound and the top of the heap is re-scored before it is taken).
  if (open.remaining() > 0) {
    struct Candidate {
      std::uint64_t gain, tie;
      std::uint32_t position;
      bool operator<(const Candidate& o) const { return gain != o.gain ? gain < o.gain : tie > o.tie; }
    };
    std::priority_queue<Candidate> heap;
    for (std::uint32_t at = 0; at < classes.combination.size(); ++at) {
      const std::uint64_t gain = open.gain(choice_of(m, classes.combination[at]));
      if (gain > 0) heap.push({gain, mix(seed, classes.combination[at]), at});
    }
    while (open.remaining() > 0 && !heap.empty()) {
      Candidate top = heap.top();
      heap.pop();
      c = choice_of(m, classes.combination[top.position]);
      top.gain = open.gain(c);
      if (top.gain == 0) continue;
      if (!heap.empty() && top < heap.top()) {
        heap.push(top);
        continue;
      }
      open.take(c);
      out.rows.push_back(c);
      out.row_class.push_back(classes.class_of[top.position]);
    }
  }
  out.pairs_covered = classes.pairs_held - open.remaining();
  return out;
}

std::string behaviour_summary(const Prediction& p, const Rulebook& book) {
  std::string out = p.supported ? "" : "unsupported, ";
  out += name_of(p.outcome);
  if (p.cpus_used) out += ", cpus " + std::to_string(*p.cpus_used);
  out += "; rules ";
  if (p.fired.empty()) out += "none";
  std::vector<std::string_view> ids;
  for (std::uint32_t r : p.fired) ids.push_back(book.rules[r].id);
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "+" : "") + std::string(ids[i]);
  out += "; actions ";
  const auto actions = p.actions.members();
  if (actions.empty()) out += "none";
  for (std::size_t i = 0; i < actions.size(); ++i) out += (i ? "+" : "") + std::string(name_of(actions[i]));
  return out;
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace restorelab
