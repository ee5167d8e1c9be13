#include "rules/covering_array.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>

namespace restorelab {

namespace {

/// splitmix64: a fixed generator, so a seed gives the same rows everywhere.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

/// One t-subset of axes and which of its value tuples are still uncovered.
struct Subset {
  std::vector<std::size_t> axes;      ///< ascending
  std::vector<std::uint8_t> uncovered;  ///< one flag per tuple, mixed radix over `axes`
  std::size_t remaining = 0;
};

class Builder {
 public:
  Builder(const std::vector<std::size_t>& sizes, const CoveringOptions& options,
          const std::function<bool(const Choice&)>& valid)
      : sizes_(sizes), options_(options), valid_(valid), random_(options.seed),
        containing_(sizes.size()) {
    std::vector<std::size_t> pick;
    make_subsets(0, pick);
    for (std::size_t s = 0; s < subsets_.size(); ++s)
      for (std::size_t axis : subsets_[s].axes) containing_[axis].push_back(s);
  }

  CoveringResult run() {
    CoveringResult result;
    for (const Subset& s : subsets_) result.tuples_total += s.uncovered.size();
    // IPOG builds most rows; its rows the predicate refuses are dropped and
    // what they alone covered is left to the one-row-at-a-time phase below.
    for (Choice& row : in_parameter_order()) {
      if (!complete(row)) continue;
      if (total_gain(row) == 0) continue;
      cover(row);
      result.rows.push_back(std::move(row));
    }
    while (remaining_ > 0) {
      auto [subset, tuple] = seed();
      Choice fixed(sizes_.size(), kFree);
      decode(subsets_[subset], tuple, fixed);
      std::optional<Choice> row = best_candidate(fixed);
      if (!row) row = repair(fixed);
      if (!row) {
        // No valid row holds this tuple: the constraints rule it out.
        mark(subset, tuple);
        ++result.tuples_unreachable;
        continue;
      }
      cover(*row);
      result.rows.push_back(std::move(*row));
    }
    result.tuples_covered = result.tuples_total - result.tuples_unreachable;
    return result;
  }

 private:
  static constexpr std::uint8_t kFree = 0xff;

  void make_subsets(std::size_t from, std::vector<std::size_t>& pick) {
    if (pick.size() == static_cast<std::size_t>(options_.strength)) {
      Subset s;
      s.axes = pick;
      std::size_t n = 1;
      for (std::size_t a : pick) n *= sizes_[a];
      s.uncovered.assign(n, 1);
      s.remaining = n;
      remaining_ += n;
      subsets_.push_back(std::move(s));
      return;
    }
    for (std::size_t a = from; a < sizes_.size(); ++a) {
      pick.push_back(a);
      make_subsets(a + 1, pick);
      pick.pop_back();
    }
  }

  /// Index of a subset's tuple in `row`, or npos when an axis is free.
  std::size_t index(const Subset& s, const Choice& row) const {
    std::size_t i = 0;
    for (std::size_t a : s.axes) {
      if (row[a] == kFree) return std::string::npos;
      i = i * sizes_[a] + row[a];
    }
    return i;
  }

  void decode(const Subset& s, std::size_t tuple, Choice& row) const {
    for (std::size_t k = s.axes.size(); k-- > 0;) {
      const std::size_t a = s.axes[k];
      row[a] = static_cast<std::uint8_t>(tuple % sizes_[a]);
      tuple /= sizes_[a];
    }
  }

  void mark(std::size_t subset, std::size_t tuple) {
    Subset& s = subsets_[subset];
    if (!s.uncovered[tuple]) return;
    s.uncovered[tuple] = 0;
    --s.remaining;
    --remaining_;
  }

  void cover(const Choice& row) {
    for (std::size_t i = 0; i < subsets_.size(); ++i) mark(i, index(subsets_[i], row));
  }

  // The first uncovered tuple of the subset with the most left: the large
  // subsets are the hard ones, so they steer.
  std::pair<std::size_t, std::size_t> seed() const {
    std::size_t best = 0;
    for (std::size_t i = 1; i < subsets_.size(); ++i)
      if (subsets_[i].remaining > subsets_[best].remaining) best = i;
    const auto& flags = subsets_[best].uncovered;
    return {best, static_cast<std::size_t>(std::find(flags.begin(), flags.end(), 1) - flags.begin())};
  }

  /// Uncovered tuples that setting `axis` to `value` completes in `row`.
  std::size_t gain(Choice& row, std::size_t axis, std::uint8_t value) const {
    row[axis] = value;
    std::size_t n = 0;
    for (std::size_t s : containing_[axis]) {
      std::size_t i = index(subsets_[s], row);
      if (i != std::string::npos) n += subsets_[s].uncovered[i];
    }
    row[axis] = kFree;
    return n;
  }

  std::size_t total_gain(const Choice& row) const {
    std::size_t n = 0;
    for (const Subset& s : subsets_) n += s.uncovered[index(s, row)];
    return n;
  }

  Choice fill(const Choice& fixed) {
    Choice row = fixed;
    std::vector<std::size_t> order;
    for (std::size_t a = 0; a < sizes_.size(); ++a)
      if (row[a] == kFree) order.push_back(a);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_.below(i)]);
    for (std::size_t a : order) {
      std::size_t best_gain = 0, ties = 0;
      std::uint8_t best = 0;
      for (std::uint8_t v = 0; v < sizes_[a]; ++v) {
        std::size_t g = gain(row, a, v);
        if (g > best_gain || ties == 0) {
          best_gain = g;
          best = v;
          ties = 1;
        } else if (g == best_gain && random_.below(++ties) == 0) {
          best = v;
        }
      }
      row[a] = best;
    }
    return row;
  }

  // IPOG (Lei et al.): the first t axes in full, then each further axis
  // added to the rows (horizontal growth) and rows added or completed for the
  // tuples still uncovered (vertical growth). Free entries stay kFree.
  std::vector<Choice> in_parameter_order() {
    const std::size_t n = sizes_.size(), t = static_cast<std::size_t>(options_.strength);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return sizes_[x] > sizes_[y]; });
    std::vector<Choice> rows(1, Choice(n, kFree));
    for (std::size_t k = 0; k < t; ++k) {
      std::vector<Choice> grown;
      for (const Choice& r : rows)
        for (std::uint8_t v = 0; v < sizes_[order[k]]; ++v) {
          grown.push_back(r);
          grown.back()[order[k]] = v;
        }
      rows = std::move(grown);
    }
    // Local uncovered flags of the subsets whose highest axis (in `order`) is order[k].
    for (std::size_t k = t; k < n; ++k) {
      const std::size_t axis = order[k];
      std::vector<std::size_t> here;
      for (std::size_t s : containing_[axis]) {
        bool earlier = true;
        for (std::size_t a : subsets_[s].axes)
          if (a != axis && std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), a) ==
                               order.begin() + static_cast<std::ptrdiff_t>(k))
            earlier = false;
        if (earlier) here.push_back(s);
      }
      std::vector<std::vector<std::uint8_t>> open(here.size());
      for (std::size_t i = 0; i < here.size(); ++i) open[i].assign(subsets_[here[i]].uncovered.size(), 1);
      auto newly = [&](const Choice& row) {
        std::size_t g = 0;
        for (std::size_t i = 0; i < here.size(); ++i)
          if (std::size_t x = index(subsets_[here[i]], row); x != std::string::npos) g += open[i][x];
        return g;
      };
      auto close = [&](const Choice& row) {
        for (std::size_t i = 0; i < here.size(); ++i)
          if (std::size_t x = index(subsets_[here[i]], row); x != std::string::npos) open[i][x] = 0;
      };
      std::vector<std::pair<std::size_t, std::uint8_t>> by_gain;
      for (Choice& row : rows) {  // horizontal growth: the best value that can still make a valid row
        by_gain.clear();
        for (std::uint8_t v = 0; v < sizes_[axis]; ++v) {
          row[axis] = v;
          by_gain.emplace_back(newly(row), v);
        }
        for (std::size_t i = by_gain.size(); i > 1; --i) std::swap(by_gain[i - 1], by_gain[random_.below(i)]);
        std::stable_sort(by_gain.begin(), by_gain.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
        row[axis] = kFree;
        for (const auto& [g, v] : by_gain) {
          row[axis] = v;
          if (feasible(row)) break;
          row[axis] = kFree;
        }
        if (row[axis] != kFree) close(row);
      }
      for (std::size_t i = 0; i < here.size(); ++i) {  // vertical growth
        const Subset& sub = subsets_[here[i]];
        for (std::size_t x = 0; x < open[i].size(); ++x) {
          if (!open[i][x]) continue;
          Choice tuple(n, kFree);
          decode(sub, x, tuple);
          auto fits = [&](const Choice& row) {
            for (std::size_t a : sub.axes)
              if (row[a] != kFree && row[a] != tuple[a]) return false;
            return true;
          };
          auto placed = std::find_if(rows.begin(), rows.end(), [&](const Choice& row) {
            if (!fits(row)) return false;
            Choice trial = row;
            for (std::size_t a : sub.axes) trial[a] = tuple[a];
            return feasible(trial);
          });
          if (placed == rows.end()) {
            if (!feasible(tuple)) continue;  // left to the phase below, which may find it unreachable
            placed = rows.insert(rows.end(), Choice(n, kFree));
          }
          for (std::size_t a : sub.axes) (*placed)[a] = tuple[a];
          close(*placed);
        }
      }
    }
    return rows;
  }

  /// Whether some filling of the free entries makes a valid row (a few random tries).
  bool feasible(const Choice& partial) {
    Choice row = partial;
    for (int attempt = 0; attempt < 4; ++attempt) {
      for (std::size_t a = 0; a < sizes_.size(); ++a)
        if (partial[a] == kFree) row[a] = static_cast<std::uint8_t>(random_.below(sizes_[a]));
      if (valid_(row)) return true;
    }
    return false;
  }

  /// Fills the free entries of an IPOG row with values the predicate accepts,
  /// preferring those that cover the most; false when none are found.
  bool complete(Choice& row) {
    if (std::find(row.begin(), row.end(), kFree) == row.end()) return valid_(row);
    const Choice fixed = row;
    for (int c = 0; c < options_.candidates; ++c) {
      row = fill(fixed);
      if (valid_(row)) return true;
    }
    return false;
  }

  std::optional<Choice> best_candidate(const Choice& fixed) {
    std::optional<Choice> best;
    std::size_t best_gain = 0;
    for (int c = 0; c < options_.candidates; ++c) {
      Choice row = fill(fixed);
      std::size_t g = total_gain(row);
      if ((!best || g > best_gain) && valid_(row)) {
        best = std::move(row);
        best_gain = g;
      }
    }
    return best;
  }

  std::optional<Choice> repair(const Choice& fixed) {
    for (int attempt = 0; attempt < options_.repair_attempts; ++attempt) {
      Choice row = fixed;
      for (std::size_t a = 0; a < sizes_.size(); ++a)
        if (row[a] == kFree) row[a] = static_cast<std::uint8_t>(random_.below(sizes_[a]));
      if (valid_(row)) return row;
    }
    return std::nullopt;
  }

  const std::vector<std::size_t>& sizes_;
  const CoveringOptions& options_;
  const std::function<bool(const Choice&)>& valid_;
  Random random_;
  std::vector<Subset> subsets_;
  std::vector<std::vector<std::size_t>> containing_;  ///< per axis, the subsets holding it
  std::size_t remaining_ = 0;
};

constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();

std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }
std::uint64_t mul_saturating(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > kSaturated / b ? kSaturated : a * b;
}

/// The sum over all `t`-subsets of `values` of their products (the
/// elementary symmetric polynomial), saturating.
std::uint64_t subset_products(const std::vector<std::uint64_t>& values, std::size_t t) {
  std::vector<std::uint64_t> e(t + 1, 0);
  e[0] = 1;
  for (std::uint64_t v : values)
    for (std::size_t j = t; j >= 1; --j) e[j] = add_saturating(e[j], mul_saturating(e[j - 1], v));
  return e[t];
}

int clamped_strength(int strength, std::size_t axes) {
  return std::clamp(strength, 1, std::max<int>(1, static_cast<int>(axes)));
}

}  // namespace

CoveringEstimate estimate_covering_array(const std::vector<std::size_t>& axis_sizes, int strength) {
  CoveringEstimate e;
  if (axis_sizes.empty()) return e;
  const auto t = static_cast<std::size_t>(clamped_strength(strength, axis_sizes.size()));
  std::vector<std::uint64_t> sizes(axis_sizes.begin(), axis_sizes.end());
  e.subsets = subset_products(std::vector<std::uint64_t>(sizes.size(), 1), t);
  e.tuples = subset_products(sizes, t);
  // IPOG starts from every combination of the t largest axes, a row each.
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  e.first_rows = 1;
  for (std::size_t i = 0; i < t; ++i) e.first_rows = mul_saturating(e.first_rows, sizes[i]);
  // Per subset: its record, its axes and the axes' lists of it; per tuple a
  // flag, and a second one while IPOG grows the array; per row its header
  // and one byte per axis.
  const std::uint64_t per_subset = sizeof(Subset) + 2 * sizeof(std::size_t) * t;
  const std::uint64_t per_row = sizeof(Choice) + std::max<std::uint64_t>(16, axis_sizes.size());
  e.bytes = add_saturating(add_saturating(mul_saturating(e.subsets, per_subset), mul_saturating(e.tuples, 2)),
                           mul_saturating(e.first_rows, per_row));
  const std::uint64_t placed = e.tuples == kSaturated ? kSaturated : e.tuples - e.first_rows;
  e.work = add_saturating(mul_saturating(placed, e.first_rows), mul_saturating(e.first_rows, e.subsets));
  return e;
}

bool within_limits(const CoveringEstimate& e) {
  return e.bytes <= kMaxCoveringArrayBytes && e.work <= kMaxCoveringArrayWork;
}

CoveringResult build_covering_array(const std::vector<std::size_t>& axis_sizes, const CoveringOptions& options,
                                    const std::function<bool(const Choice&)>& valid) {
  CoveringOptions o = options;
  o.strength = clamped_strength(o.strength, axis_sizes.size());
  if (axis_sizes.empty() || std::find(axis_sizes.begin(), axis_sizes.end(), 0u) != axis_sizes.end()) return {};
  if (!within_limits(estimate_covering_array(axis_sizes, o.strength))) return {};
  const int tries = o.tries > 0 ? o.tries : o.strength <= 2 ? 32 : 4;
  CoveringResult best;
  for (int i = 0; i < tries; ++i) {
    CoveringOptions attempt = o;
    attempt.seed = Random(options.seed + static_cast<std::uint64_t>(i)).next();
    CoveringResult r = Builder(axis_sizes, attempt, valid).run();
    if (i == 0 || r.rows.size() < best.rows.size()) best = std::move(r);
  }
  return best;
}

}  // namespace restorelab
