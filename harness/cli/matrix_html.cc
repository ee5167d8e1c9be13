#include "harness/cli/matrix_html.h"

#include "harness/output/json_writer.h"
#include "harness/output/html_text.h"

namespace restorelab {

namespace {

// The page's data: what the script below renders.
std::string data_json(const MatrixSummary& s, const Matrix& m, const std::vector<MatrixRow>& rows,
                      const std::string& rulebook_name) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("matrix").value(m.name);
  json.key("description").value(m.description);
  json.key("rulebook").value(rulebook_name);
  json.key("combinations").value(static_cast<std::int64_t>(s.combinations));
  json.key("valid").value(static_cast<std::int64_t>(s.counts.valid));
  json.key("invalid").value(static_cast<std::int64_t>(s.counts.invalid));
  json.key("excluded").value(static_cast<std::int64_t>(s.counts.excluded));
  json.key("supported").value(static_cast<std::int64_t>(s.supported));
  json.key("outcomes").begin_array();
  for (std::size_t i = 0; i < enum_count<Outcome>(); ++i) {
    const Outcome o = static_cast<Outcome>(i);
    json.begin_object().key("name").value(name_of(o)).key("code").value(outcome_code(o));
    json.key("count").value(static_cast<std::int64_t>(s.outcomes[i])).end_object();
  }
  json.end_array();
  json.key("pivots").begin_array();
  for (const Pivot& p : s.pivots) {
    const Axis& r = m.axes[static_cast<std::size_t>(p.row_axis)];
    const Axis& c = m.axes[static_cast<std::size_t>(p.col_axis)];
    json.begin_object().key("rows").value(r.key).key("cols").value(c.key);
    json.key("row_labels").strings(r.labels).key("col_labels").strings(c.labels);
    json.key("cells").begin_array();
    for (const OutcomeCounts& cell : p.cells) {
      json.begin_array();
      for (auto n : cell) json.value(static_cast<std::int64_t>(n));
      json.end_array();
    }
    json.end_array().end_object();
  }
  json.end_array();
  json.key("rows").begin_array();
  for (const MatrixRow& row : rows) {
    json.begin_array().value(row.id).value(row.supported).value(name_of(row.outcome));
    json.value(row.cpus_used).value(row.actions).value(row.rules).end_array();
  }
  json.end_array();
  json.key("rows_truncated").value(s.counts.valid > rows.size());
  json.end_object();
  return json_for_script(out);
}

constexpr const char* kHead = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>restorelab matrix</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6475;margin-bottom:16px}
.totals{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:18px}
table{border-collapse:collapse;background:#fff}
.heat td,.heat th{border:1px solid #dde1e8;padding:4px 6px;text-align:center;font-size:12px}
.heat th{background:#f0f2f5;font-weight:600}
.heat td{min-width:64px;color:#fff;text-shadow:0 0 2px #0008}
.heat td.empty{background:#eee;color:#999;text-shadow:none}
.legend span{display:inline-block;margin-right:10px;font-size:12px}
.bar{display:flex;height:5px;margin-top:3px;border-radius:2px;overflow:hidden}
#table td,#table th{border-bottom:1px solid #e5e8ee;padding:3px 8px;text-align:left;font-size:12px}
#table th{background:#f0f2f5;position:sticky;top:0}
input[type=search]{width:420px;padding:6px;font-size:14px;margin-bottom:8px}
.o-boots{color:#1b7f3b}.o-bad{color:#b3261e;font-weight:600}.o-deg{color:#a05a00}
</style></head><body>
<h1 id="title">restorelab matrix</h1><div class="sub" id="subtitle"></div>
<div class="totals" id="totals"></div>
<h2>Outcomes</h2><div class="legend" id="legend"></div>
<div id="heatmaps"></div>
<h2>Combinations</h2>
<input type="search" id="search" placeholder="filter: id, outcome, action or rule (all words must match)">
<div id="count"></div>
<table id="table"><thead><tr><th>id</th><th>supported</th><th>outcome</th><th>cpus used</th><th>actions</th><th>rules</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="data">)HTML";

constexpr const char* kTail = R"HTML(</script>
<script>
const D = JSON.parse(document.getElementById('data').textContent);
const colors = {'boots':'#2e9e55','boots-degraded':'#d99a2b','stop-0x7b':'#c0392b','stop-0x79':'#a93226',
  'stop-0xa5':'#922b21','no-bootable-device':'#6c3483','restore-refused':'#34495e','hang':'#7b241c',
  'boot-file-missing':'#884ea0','role-fails':'#2874a6'};
const el = (tag, attrs, text) => { const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; };
const pct = (a, b) => b ? (100 * a / b).toFixed(1) + '%' : '0%';
document.getElementById('title').textContent = 'Matrix ' + D.matrix;
document.getElementById('subtitle').textContent = (D.description ? D.description + ' - ' : '') + 'rulebook ' + D.rulebook;
const totals = document.getElementById('totals');
[['combinations', D.combinations], ['predicted', D.valid], ['refused by validation', D.invalid],
 ['excluded', D.excluded], ['supported', D.supported + ' (' + pct(D.supported, D.valid) + ')']].forEach(([k, v]) => {
  const c = el('div', {class: 'card'}); c.appendChild(el('b', {}, String(v))); c.appendChild(document.createTextNode(k)); totals.appendChild(c); });
const legend = document.getElementById('legend');
D.outcomes.filter(o => o.count).forEach(o => { const s = el('span', {}, '\u25a0 ' + o.code + ' ' + o.name + ': ' + o.count);
  s.style.color = colors[o.name]; legend.appendChild(s); });
const good = new Set(['boots', 'boots-degraded']);
D.pivots.forEach(p => {
  const box = el('div', {class: 'heatmap'});
  box.appendChild(el('h2', {}, p.rows + ' \u00d7 ' + p.cols));
  const t = el('table', {class: 'heat'}); const head = el('tr'); head.appendChild(el('th', {}, p.rows + ' \\ ' + p.cols));
  p.col_labels.forEach(l => head.appendChild(el('th', {}, l))); t.appendChild(head);
  p.row_labels.forEach((rl, r) => { const tr = el('tr'); tr.appendChild(el('th', {}, rl));
    p.col_labels.forEach((cl, c) => { const counts = p.cells[r * p.col_labels.length + c];
      const total = counts.reduce((a, b) => a + b, 0); const td = el('td');
      if (!total) { td.className = 'empty'; td.textContent = '-'; tr.appendChild(td); return; }
      let bad = 0; counts.forEach((n, i) => { if (!good.has(D.outcomes[i].name)) bad += n; });
      const f = bad / total; td.style.background = 'hsl(' + Math.round(130 * (1 - f)) + ',55%,' + (38 + 8 * (1 - f)) + '%)';
      // The whole mix, most frequent first ("7B:6 B:3"), not only the commonest.
      td.textContent = counts.map((n, i) => [n, i]).filter(([n]) => n).sort((a, b) => b[0] - a[0])
        .map(([n, i]) => D.outcomes[i].code + ':' + n).join(' ');
      td.title = rl + ' / ' + cl + '\n' + counts.map((n, i) => n ? D.outcomes[i].name + ': ' + n : '').filter(Boolean).join('\n');
      td.dataset.outcomes = counts.map((n, i) => n ? D.outcomes[i].code : '').filter(Boolean).join(' ');
      const bar = el('div', {class: 'bar'}); counts.forEach((n, i) => { if (!n) return; const s = el('span');
        s.style.flex = String(n); s.style.background = colors[D.outcomes[i].name]; bar.appendChild(s); });
      td.appendChild(bar); tr.appendChild(td); });
    t.appendChild(tr); });
  box.appendChild(t); document.getElementById('heatmaps').appendChild(box); });
const body = document.querySelector('#table tbody'); const count = document.getElementById('count');
const cls = o => o === 'boots' ? 'o-boots' : o === 'boots-degraded' ? 'o-deg' : 'o-bad';
function render() {
  const words = document.getElementById('search').value.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = D.rows.filter(r => { const text = r.join(' ').toLowerCase(); return words.every(w => text.includes(w)); });
  body.textContent = '';
  hits.slice(0, 500).forEach(r => { const tr = el('tr'); tr.appendChild(el('td', {}, r[0]));
    tr.appendChild(el('td', {}, r[1] ? 'yes' : 'no')); tr.appendChild(el('td', {class: cls(r[2])}, r[2]));
    tr.appendChild(el('td', {}, r[3] ? String(r[3]) : '')); tr.appendChild(el('td', {}, r[4])); tr.appendChild(el('td', {}, r[5]));
    body.appendChild(tr); });
  count.textContent = hits.length + ' of ' + D.rows.length + ' combinations match' + (hits.length > 500 ? ' (first 500 shown)' : '') +
    (D.rows_truncated ? '; the page holds the first ' + D.rows.length + ' of ' + D.valid + ' (use --json for all)' : '');
}
document.getElementById('search').addEventListener('input', render); render();
</script></body></html>
)HTML";

}  // namespace

std::string matrix_html(const MatrixSummary& summary, const Matrix& matrix, const std::vector<MatrixRow>& rows,
                        const std::string& rulebook_name) {
  return std::string(kHead) + data_json(summary, matrix, rows, rulebook_name) + kTail;
}

}  // namespace restorelab
