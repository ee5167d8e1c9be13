#include "rules/behaviour_cover.h"

#include <algorithm>
#include <cstdint>
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
  bool uncovered(std::size_t pair) const { return demanded_[pair] && held_[pair] == 0; }

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

PairSpace::Unpacked PairSpace::unpack(std::size_t pair) const {
  for (std::size_t i = 0, k = 0; i < sizes_.size(); ++i)
    for (std::size_t j = i + 1; j < sizes_.size(); ++j, ++k) {
      const std::size_t width = sizes_[i] * sizes_[j];
      if (pair < offsets_[k] || pair >= offsets_[k] + width) continue;
      const std::size_t at = pair - offsets_[k];
      return Unpacked{i, at / sizes_[j], j, at % sizes_[j]};
    }
  return Unpacked{0, SIZE_MAX, 0, SIZE_MAX};
}

std::string PairSpace::describe(const Matrix& m, std::size_t pair) const {
  const Unpacked u = unpack(pair);
  if (u.x == SIZE_MAX) return "?";
  return m.axes[u.i].key + "=" + m.axes[u.i].labels[u.x] + ", " + m.axes[u.j].key + "=" + m.axes[u.j].labels[u.y];
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

namespace {

/// The representatives of a cover being searched for: one member per class,
/// and how many of them hold each demanded pair.
class ClassSearch {
 public:
  ClassSearch(const Matrix& m, const BehaviourClasses& classes, std::uint64_t seed,
              const std::vector<bool>& preferred)
      : m_(m), classes_(classes), space_(m), counts_(space_, classes.pair_held), seed_(seed),
        preferred_(preferred), n_(classes.classes.size()) {
    group_members();
  }

  /// Smallest classes first (they have the fewest members to choose from),
  /// each represented by the member that holds the most pairs no row holds.
  void greedy() {
    order_.resize(n_);
    for (std::uint32_t k = 0; k < n_; ++k) order_[k] = k;
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return classes_.classes[a].members < classes_.classes[b].members;
    });
    picked_.assign(n_, 0);
    for (std::uint32_t k : order_) {
      picked_[k] = best_member(k, std::nullopt);
      place(k);
    }
  }

  /// Each representative in turn is taken out and the member that then holds
  /// the most uncovered pairs put back (itself on a tie), so the pairs
  /// covered never fall; until a pass changes nothing. `fixed` stays.
  void settle(int passes, std::optional<std::uint32_t> fixed = std::nullopt) {
    for (int pass = 0; pass < passes && counts_.remaining() > 0; ++pass) {
      bool changed = false;
      for (std::uint32_t k : order_) {
        if (k == fixed) continue;
        unplace(k);
        const std::uint32_t again = best_member(k, picked_[k]);
        changed = changed || again != picked_[k];
        picked_[k] = again;
        place(k);
      }
      if (!changed) return;
    }
  }

  /// One round of repair: force one uncovered pair (the seed and the round
  /// choose which) into the class that loses least by holding it, let the
  /// others settle, and keep the result unless more pairs are left than
  /// before.
  void repair(int round) {
    const std::vector<std::uint32_t> before = picked_;
    const std::uint64_t left = counts_.remaining();
    const auto forced = force(uncovered_pair(round), round);
    if (!forced) return;
    settle(2, forced);
    if (counts_.remaining() > left) restore(before);
  }

  const std::vector<std::uint32_t>& picked() const { return picked_; }
  PairCounts& counts() { return counts_; }

 private:
  /// The members of each class, grouped (a counting sort of the positions);
  /// a class with a preferred member is represented by one of those only.
  void group_members() {
    start_.assign(n_ + 1, 0);
    for (std::uint32_t k : classes_.class_of) ++start_[k + 1];
    for (std::size_t k = 0; k < n_; ++k) start_[k + 1] += start_[k];
    members_.resize(classes_.class_of.size());
    std::vector<std::uint32_t> next(start_.begin(), start_.end() - 1);
    for (std::uint32_t at = 0; at < classes_.class_of.size(); ++at) members_[next[classes_.class_of[at]]++] = at;
    only_preferred_.assign(n_, false);
    if (!preferred_.empty())
      for (std::uint32_t at = 0; at < classes_.class_of.size(); ++at)
        if (preferred_[at]) only_preferred_[classes_.class_of[at]] = true;
  }

  bool eligible(std::uint32_t k, std::uint32_t at) const { return !only_preferred_[k] || preferred_[members_[at]]; }

  /// The member of class k that holds the most pairs no row holds (and
  /// `must`, when given); ties go to `current` when it is one of them, else
  /// to the lowest hash of the seed and `salt`. None when no member holds `must`.
  std::optional<std::uint32_t> best_member(std::uint32_t k, std::optional<std::uint32_t> current,
                                           const std::optional<PairSpace::Unpacked>& must, std::uint64_t salt,
                                           std::uint64_t& best_gain) {
    std::uint64_t best_tie = 0;
    std::optional<std::uint32_t> best;
    for (std::uint32_t at = start_[k]; at < start_[k + 1]; ++at) {
      if (!eligible(k, at)) continue;
      const std::uint32_t index = classes_.combination[members_[at]];
      decode(m_, index, c_);
      if (must && !must->held_by(c_)) continue;
      const std::uint64_t gain = counts_.gain(c_);
      const std::uint64_t tie = current == index ? 0 : mix(seed_ + salt, index) | 1;
      if (!best || gain > best_gain || (gain == best_gain && tie < best_tie)) {
        best_gain = gain, best_tie = tie, best = index;
      }
    }
    return best;
  }
  std::uint32_t best_member(std::uint32_t k, std::optional<std::uint32_t> current) {
    std::uint64_t gain = 0;
    return best_member(k, current, std::nullopt, 0, gain).value_or(classes_.combination[members_[start_[k]]]);
  }

  /// The uncovered demanded pair the seed and `round` choose.
  std::size_t uncovered_pair(int round) {
    std::vector<std::size_t> open;
    for (std::size_t p = 0; p < space_.size(); ++p)
      if (counts_.uncovered(p)) open.push_back(p);
    return open[mix(seed_, static_cast<std::uint64_t>(round)) % open.size()];
  }

  /// Moves the representative of the class that is left with the fewest
  /// uncovered pairs once one of its members holds `pair`; that class.
  std::optional<std::uint32_t> force(std::size_t pair, int round) {
    const PairSpace::Unpacked must = space_.unpack(pair);
    std::optional<std::uint32_t> best_class;
    std::uint32_t best_index = 0;
    std::uint64_t best_left = 0, best_tie = 0;
    for (std::uint32_t k = 0; k < n_; ++k) {
      unplace(k);
      std::uint64_t gain = 0;
      const auto member = best_member(k, std::nullopt, must, static_cast<std::uint64_t>(round), gain);
      const std::uint64_t left = counts_.remaining() - gain;
      place(k);
      if (!member || *member == picked_[k]) continue;
      const std::uint64_t tie = mix(seed_ + static_cast<std::uint64_t>(round), k);
      if (!best_class || left < best_left || (left == best_left && tie < best_tie)) {
        best_class = k, best_index = *member, best_left = left, best_tie = tie;
      }
    }
    if (!best_class) return std::nullopt;
    unplace(*best_class);
    picked_[*best_class] = best_index;
    place(*best_class);
    return best_class;
  }

  void place(std::uint32_t k) {
    decode(m_, picked_[k], c_);
    counts_.add(c_);
  }
  void unplace(std::uint32_t k) {
    decode(m_, picked_[k], c_);
    counts_.remove(c_);
  }
  void restore(const std::vector<std::uint32_t>& picked) {
    for (std::uint32_t k = 0; k < n_; ++k) unplace(k);
    picked_ = picked;
    for (std::uint32_t k = 0; k < n_; ++k) place(k);
  }

  const Matrix& m_;
  const BehaviourClasses& classes_;
  const PairSpace space_;
  PairCounts counts_;
  const std::uint64_t seed_;
  const std::vector<bool>& preferred_;
  const std::size_t n_;
  std::vector<std::uint32_t> start_, members_, order_, picked_;
  std::vector<bool> only_preferred_;
  Choice c_;
};

/// The rows for the pairs still left after the class rows, as positions
/// among the valid combinations: lazy greedy over every valid combination (a
/// combination's gain only falls as rows are taken, so a stale gain is an
/// upper bound and the top of the heap is re-scored before it is taken).
std::vector<std::uint32_t> pair_rows(const Matrix& m, const BehaviourClasses& classes, std::uint64_t seed,
                                     PairCounts& counts) {
  struct Candidate {
    std::uint64_t gain, tie;
    std::uint32_t position;
    bool operator<(const Candidate& o) const { return gain != o.gain ? gain < o.gain : tie > o.tie; }
  };
  std::vector<std::uint32_t> rows;
  if (counts.remaining() == 0) return rows;
  Choice c;
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
    rows.push_back(top.position);
  }
  return rows;
}

/// A maximum matching of `left` nodes to right nodes (Kuhn's augmenting
/// paths); `edges[l]` are the right nodes node l may take. Its size.
std::size_t max_matching(const std::vector<std::vector<std::uint32_t>>& edges, std::size_t right) {
  std::vector<std::int64_t> owner(right, -1);
  std::vector<std::uint32_t> seen(right, 0);
  std::uint32_t stamp = 0;
  // Iterative depth-first search would be longer; the left side is one pair
  // of axes' values (at most 255 x 255), so the recursion stays shallow enough.
  auto augment = [&](auto& self, std::size_t l) -> bool {
    for (std::uint32_t r : edges[l]) {
      if (seen[r] == stamp) continue;
      seen[r] = stamp;
      if (owner[r] < 0 || self(self, static_cast<std::size_t>(owner[r]))) {
        owner[r] = static_cast<std::int64_t>(l);
        return true;
      }
    }
    return false;
  };
  std::size_t matched = 0;
  for (std::size_t l = 0; l < edges.size(); ++l) {
    ++stamp;
    matched += augment(augment, l);
  }
  return matched;
}

}  // namespace

CoverBound cover_lower_bound(const Matrix& m, const BehaviourClasses& classes) {
  const PairSpace space(m);
  const std::size_t n = classes.classes.size();
  CoverBound bound{n, 0, 0, 0, 0, false};
  if (n == 0 || n * space.size() > kMaxCoverBoundBits) return bound;
  // Which pairs each class's members hold: one bit per class and pair.
  std::vector<bool> holds(n * space.size(), false);
  Choice c;
  for (std::uint32_t at = 0; at < classes.combination.size(); ++at) {
    decode(m, classes.combination[at], c);
    const std::size_t base = std::size_t{classes.class_of[at]} * space.size();
    space.for_each(c, [&](std::size_t p) { holds[base + p] = true; });
  }
  bound.computed = true;
  // Each pair of axes: its held pairs each need a row; a class row holds one.
  for (std::size_t a = 0, first = 0; a < m.axes.size(); ++a)
    for (std::size_t b = a + 1; b < m.axes.size(); ++b) {
      const std::size_t width = m.axes[a].values.size() * m.axes[b].values.size();
      std::vector<std::vector<std::uint32_t>> edges;
      for (std::size_t p = first; p < first + width; ++p) {
        if (!classes.pair_held[p]) continue;
        edges.emplace_back();
        for (std::uint32_t k = 0; k < n; ++k)
          if (holds[std::size_t{k} * space.size() + p]) edges.back().push_back(k);
      }
      first += width;
      const std::size_t matched = max_matching(edges, n);
      if (edges.size() - matched > bound.rows - n) {
        bound = CoverBound{n + edges.size() - matched, a, b, edges.size(), matched, true};
      }
    }
  return bound;
}

BehaviourCover cover_behaviours(const Matrix& m, const BehaviourClasses& classes, std::uint64_t seed,
                                const std::vector<bool>& preferred) {
  BehaviourCover out;
  out.bound = cover_lower_bound(m, classes);
  ClassSearch search(m, classes, seed, preferred);
  search.greedy();
  search.settle(16);
  const std::size_t n = classes.classes.size();
  // Repair rounds until the rows reach the bound (checked only when fewer
  // pairs are left, as it costs a pass over the combinations).
  std::uint64_t checked = UINT64_MAX;
  for (int round = 1; round <= kCoverRepairRounds && search.counts().remaining() > 0; ++round) {
    if (search.counts().remaining() < checked) {
      checked = search.counts().remaining();
      PairCounts trial = search.counts();
      if (n + pair_rows(m, classes, seed, trial).size() <= out.bound.rows) break;
    }
    search.repair(round);
  }
  for (std::uint32_t k = 0; k < n; ++k) {
    out.rows.push_back(choice_of(m, search.picked()[k]));
    out.row_class.push_back(k);
  }
  out.class_rows = n;
  PairCounts& counts = search.counts();
  for (std::uint32_t at : pair_rows(m, classes, seed, counts)) {
    out.rows.push_back(choice_of(m, classes.combination[at]));
    out.row_class.push_back(classes.class_of[at]);
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
