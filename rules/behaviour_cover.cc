#include "rules/behaviour_cover.h"

#include <algorithm>
#include <optional>
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

/// The greedy state: how many chosen rows hold each demanded pair.
class PairCounts {
 public:
  PairCounts(const PairSpace& space, const std::vector<bool>& demanded)
      : space_(space), demanded_(demanded.begin(), demanded.end()), held_(demanded.size(), 0) {
    remaining_ = static_cast<std::uint64_t>(std::count(demanded.begin(), demanded.end(), true));
  }
  /// The demanded pairs of `c` no chosen row holds.
  std::uint64_t gain(const Choice& c) const {
    std::uint64_t n = 0;
    space_.for_each(c, [&](std::size_t p) { n += demanded_[p] && held_[p] == 0; });
    return n;
  }
  void add(const Choice& c) {
    space_.for_each(c, [&](std::size_t p) {
      if (demanded_[p] && held_[p]++ == 0) --remaining_;
    });
  }
  void remove(const Choice& c) {
    space_.for_each(c, [&](std::size_t p) {
      if (demanded_[p] && --held_[p] == 0) ++remaining_;
    });
  }
  std::uint64_t remaining() const { return remaining_; }

 private:
  const PairSpace& space_;
  std::vector<std::uint8_t> demanded_;
  std::vector<std::uint32_t> held_;
  std::uint64_t remaining_ = 0;
};

/// `m`'s choice of combination `index` into `c` (no allocation once sized).
void decode(const Matrix& m, std::uint32_t index, Choice& c) {
  c.resize(m.axes.size());
  for (std::size_t i = m.axes.size(); i > 0; --i) {
    const std::size_t n = m.axes[i - 1].values.size();
    c[i - 1] = static_cast<std::uint8_t>(index % n);
    index = static_cast<std::uint32_t>(index / n);
  }
}

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
  Choice c;
  decode(m, index, c);
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
  PairCounts counts(space, classes.pair_held);
  const std::size_t n = classes.classes.size();

  // The members of each class, grouped (a counting sort of the positions).
  std::vector<std::uint32_t> start(n + 1, 0);
  for (std::uint32_t k : classes.class_of) ++start[k + 1];
  for (std::size_t k = 0; k < n; ++k) start[k + 1] += start[k];
  std::vector<std::uint32_t> members(classes.class_of.size());
  {
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    for (std::uint32_t at = 0; at < classes.class_of.size(); ++at) members[next[classes.class_of[at]]++] = at;
  }
  // A class with a preferred member is represented by one of those only.
  std::vector<bool> only_preferred(n, false);
  if (!preferred.empty())
    for (std::uint32_t at = 0; at < classes.class_of.size(); ++at)
      if (preferred[at]) only_preferred[classes.class_of[at]] = true;

  Choice c;
  // The member of class k that holds the most pairs no row holds; ties go to
  // `current` when it is one of them, else to the lowest hash of the seed.
  auto best_member = [&](std::uint32_t k, std::optional<std::uint32_t> current) {
    std::uint64_t best_gain = 0, best_tie = 0;
    std::uint32_t best = members[start[k]];
    bool any = false;
    for (std::uint32_t at = start[k]; at < start[k + 1]; ++at) {
      if (only_preferred[k] && !preferred[members[at]]) continue;
      const std::uint32_t index = classes.combination[members[at]];
      decode(m, index, c);
      const std::uint64_t gain = counts.gain(c);
      const std::uint64_t tie = current == index ? 0 : mix(seed, index) | 1;
      if (!any || gain > best_gain || (gain == best_gain && tie < best_tie)) {
        best_gain = gain, best_tie = tie, best = index, any = true;
      }
    }
    return best;
  };

  // Smallest classes first: they have the fewest members to choose from.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t k = 0; k < n; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return classes.classes[a].members < classes.classes[b].members;
  });
  std::vector<std::uint32_t> picked(n);
  for (std::uint32_t k : order) {
    picked[k] = best_member(k, std::nullopt);
    decode(m, picked[k], c);
    counts.add(c);
  }
  // Pairs left: each representative in turn is taken out and the member
  // that then holds the most uncovered pairs put back (itself on a tie), so
  // the pairs covered never fall; until a pass changes nothing.
  for (int pass = 0; pass < 16 && counts.remaining() > 0; ++pass) {
    bool changed = false;
    for (std::uint32_t k : order) {
      decode(m, picked[k], c);
      counts.remove(c);
      const std::uint32_t again = best_member(k, picked[k]);
      changed = changed || again != picked[k];
      picked[k] = again;
      decode(m, picked[k], c);
      counts.add(c);
    }
    if (!changed) break;
  }
  for (std::uint32_t k = 0; k < n; ++k) {
    out.rows.push_back(choice_of(m, picked[k]));
    out.row_class.push_back(k);
  }
  out.class_rows = n;

  // Pairs still left: lazy greedy over every valid combination (a
  // combination's gain only falls as rows are taken, so a stale gain is an
  // upper bound and the top of the heap is re-scored before it is taken).
  if (counts.remaining() > 0) {
    struct Candidate {
      std::uint64_t gain, tie;
      std::uint32_t position;
      bool operator<(const Candidate& o) const { return gain != o.gain ? gain < o.gain : tie > o.tie; }
    };
    std::priority_queue<Candidate> heap;
    for (std::uint32_t at = 0; at < classes.combination.size(); ++at) {
      decode(m, classes.combination[at], c);
      const std::uint64_t gain = counts.gain(c);
      if (gain > 0) heap.push({gain, mix(seed, classes.combination[at]), at});
    }
    while (counts.remaining() > 0 && !heap.empty()) {
      Candidate top = heap.top();
      heap.pop();
      decode(m, classes.combination[top.position], c);
      top.gain = counts.gain(c);
      if (top.gain == 0) continue;
      if (!heap.empty() && top < heap.top()) {
        heap.push(top);
        continue;
      }
      counts.add(c);
      out.rows.push_back(c);
      out.row_class.push_back(classes.class_of[top.position]);
    }
  }
  out.pairs_covered = classes.pairs_held - counts.remaining();
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
