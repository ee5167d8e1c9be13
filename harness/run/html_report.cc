#include "harness/run/html_report.h"

#include <fstream>
#include <iterator>

#include "harness/output/html_text.h"
#include "harness/output/json_writer.h"
#include "harness/output/png.h"
#include "harness/store/result_fields.h"

namespace restorelab::run {

namespace fs = std::filesystem;

namespace {

/// The destination's last screen, shrunk, as a data: URI; empty without one.
std::string thumbnail(const fs::path& evidence) {
  std::ifstream in(evidence / "destination.png", std::ios::binary);
  if (!in) return {};
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  auto image = decode_png({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  if (!image) return {};
  auto png = encode_png(shrink(*image, kThumbnailWidth));
  if (!png) return {};
  return "data:image/png;base64," +
         base64({reinterpret_cast<const char*>(png->data()), png->size()});
}

/// Evidence files worth a link, by name, in a fixed order.
std::vector<std::string> evidence_files(const fs::path& evidence) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(evidence, ec)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".serial.log") || name.ends_with(".xml") || name.ends_with(".png") ||
        name.ends_with(".job") || name == "timings.json")
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The link to a result's evidence folder, ending in '/': an http(s) URL as
/// it is, else the folder relative to the page, written `./…` with every
/// byte that could make it something else percent-encoded (an evidence
/// folder named `javascript:alert(1),` stays a folder). Empty when neither
/// (the page shows the evidence without a link).
std::string evidence_href(const std::string& evidence, const fs::path& page_dir) {
  std::string folder = evidence;
  while (folder.size() > 1 && folder.ends_with('/')) folder.pop_back();
  if (folder.starts_with("http://") || folder.starts_with("https://")) return folder + "/";
  std::error_code ec;
  const fs::path relative = fs::relative(fs::absolute(folder), page_dir, ec);
  if (ec || relative.empty() || relative.is_absolute()) return {};
  const std::string href = "./" + url_path(relative.string()) + "/";
  return is_safe_href(href) ? href : std::string();
}

using F = ResultField;

/// A row's member that is a result field: the table's name (result_fields.h).
JsonWriter& field(JsonWriter& json, ResultField f) { return json.key(name_of(f)); }

/// The page's data: the run, and a row per result whose members the page's
/// script below reads.
std::string data_json(const RunSummary& summary, const fs::path& page) {
  const fs::path page_dir = fs::absolute(page).parent_path();
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("title").value(summary.title);
  json.key("seconds").value(summary.seconds);
  field(json, F::accelerator).value(summary.accelerator);
  json.key("interrupted").value(summary.interrupted);
  json.key("stale").strings(summary.stale_deviations);
  json.key("total").value(static_cast<std::int64_t>(summary.results.size()));
  json.key("rows").begin_array();
  std::size_t n = 0;
  for (const ScenarioResult& r : summary.results) {
    if (n++ >= kMaxReportRows) break;
    std::string folder = r.evidence;
    while (folder.size() > 1 && folder.ends_with('/')) folder.pop_back();
    const fs::path evidence = fs::absolute(folder);
    json.begin_object();
    field(json, F::id).value(r.id);
    field(json, F::verdict).value(verdict_name(r.verdict.kind));
    field(json, F::deviation).value(r.deviation);
    field(json, F::error).value(r.verdict.error);
    field(json, F::differences).strings(r.verdict.differences);
    field(json, F::predicted_supported).value(r.predicted.supported);
    json.key("predicted").value(name_of(r.predicted.outcome));
    json.key("predicted_cpus").value(r.predicted.cpus_used.value_or(0));
    json.key("observed").value(r.observed.outcome ? name_of(*r.observed.outcome) : std::string_view("none"));
    json.key("observed_cpus").value(r.observed.cpus_used.value_or(0));
    field(json, F::observed_stop_code).value(r.observed.stop_code);
    field(json, F::observed_detail).value(r.observed.detail);
    field(json, F::predicted_rules).strings(r.predicted.rules);
    field(json, F::predicted_reasons).strings(r.predicted.reasons);
    field(json, F::predicted_actions).strings(r.predicted.actions);
    field(json, F::attempts).value(r.attempt_count);
    field(json, F::reused).value(r.reused);
    field(json, F::reused_from).value(r.reused_from.value_or(0));
    // "fixed (in-place-upgrade)", "not-fixed: outcome: stop-0x7b, not boots"; empty without --remediate.
    std::string remediation;
    if (const auto& m = r.remediation) {
      remediation = std::string(remediation_verdict_name(m->verdict));
      for (std::size_t i = 0; i < m->applied.size(); ++i) remediation += (i == 0 ? " (" : ", ") + m->applied[i];
      if (!m->applied.empty()) remediation += ")";
      for (const std::string& d : m->differences) remediation += ": " + d;
      if (!m->error.empty()) remediation += ": " + m->error;
    }
    field(json, F::remediation).value(remediation);
    auto total = r.timings.find(std::string(name_of(F::timing_total)));
    json.key("seconds").value(total == r.timings.end() ? 0.0 : total->second);
    json.key("href").value(evidence_href(r.evidence, page_dir));
    field(json, F::evidence).value(r.evidence);
    json.key("files").strings(evidence_files(evidence));
    json.key("thumb").value(thumbnail(evidence));
    field(json, F::axes);
    if (r.axes_json.empty()) json.begin_object().end_object();
    else json.raw(r.axes_json);
    json.end_object();
  }
  json.end_array();
  json.key("coverage").begin_array();
  for (const std::string& c : summary.coverage) json.raw(c);
  json.end_array();
  json.end_object();
  return json_for_script(out);
}

constexpr const char* kHead = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>restorelab run</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6475;margin-bottom:16px}
.totals{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 12px;min-width:100px;border-top:4px solid #ccc}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;background:#fff}
.heat td,.heat th{border:1px solid #dde1e8;padding:4px 6px;text-align:center;font-size:12px;vertical-align:top}
.heat th{background:#f0f2f5;font-weight:600}
.heat td{min-width:90px}
.heat td.empty{color:#aaa}
.bar{display:flex;height:8px;margin-top:3px;border-radius:2px;overflow:hidden}
.mix{white-space:nowrap}
#table td,#table th{border-bottom:1px solid #e5e8ee;padding:4px 8px;text-align:left;font-size:12px;vertical-align:top}
#table th{background:#f0f2f5;position:sticky;top:0;cursor:pointer;user-select:none}
#table th.sorted::after{content:' \25be'}#table th.sorted.up::after{content:' \25b4'}
.controls{display:flex;gap:16px;flex-wrap:wrap;align-items:center;margin-bottom:8px}
input[type=search]{width:360px;padding:6px;font-size:14px}
.v{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}
img.thumb{width:160px;border:1px solid #ccd;image-rendering:pixelated;background:#000}
details summary{cursor:pointer;color:#335}
.files a{margin-right:6px}.files div{white-space:nowrap}
#table td:nth-child(2){white-space:nowrap;font-family:ui-monospace,monospace}
#table td:nth-child(8){max-width:280px}
.muted{color:#7a8396}
</style></head><body>
<h1 id="title">restorelab run</h1><div class="sub" id="subtitle"></div>
<div class="totals" id="totals"></div>
<div id="stale"></div>
<div id="coverage"></div>
<h2>Verdicts over the matrix axes</h2>
<div class="controls" id="axes-controls"></div>
<div id="heatmap"></div>
<h2>Scenarios</h2>
<div class="controls">
<input type="search" id="search" placeholder="filter: id, outcome, rule or axis value (all words must match)">
<span id="verdict-filter"></span></div>
<div id="count"></div>
<table id="table"><thead><tr>
<th data-k="thumb">screen</th><th data-k="id">id</th><th data-k="verdict">verdict</th><th data-k="predicted">predicted</th>
<th data-k="observed">observed</th><th data-k="cpus">cpus p/o</th><th data-k="seconds">seconds</th><th data-k="why">why</th><th data-k="files">evidence</th>
</tr></thead><tbody></tbody></table>
<script type="application/json" id="data">)HTML";

constexpr const char* kTail = R"HTML(</script>
<script>
const D = JSON.parse(document.getElementById('data').textContent);
const VERDICTS = ['agree', 'known-deviation', 'disagree', 'flaky', 'error'];
const COLOR = {'agree':'#2e9e55','known-deviation':'#2874a6','disagree':'#c0392b','flaky':'#d98a1b','error':'#6c6f7a'};
const SHORT = {'agree':'A','known-deviation':'K','disagree':'D','flaky':'F','error':'E'};
const el = (tag, attrs, text) => { const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; };
// Only a relative path (./, ../) or an http(s) URL becomes a link (is_safe_href in html_text.h).
const link = (href, text) => /^(\.\.?\/|https?:\/\/)/.test(href) ? el('a', {href: href}, text) : el('span', {}, text);
const badge = v => { const s = el('span', {class: 'v'}, v); s.style.background = COLOR[v]; return s; };
document.getElementById('title').textContent = 'restorelab ' + D.title;
document.getElementById('subtitle').textContent = D.total + ' scenarios' + (D.accelerator ? ' on ' + D.accelerator : '') +
  ', ' + Math.round(D.seconds) + ' s' + (D.interrupted ? ' (interrupted: the rest did not run)' : '') +
  (D.rows.length < D.total ? '; the page holds the first ' + D.rows.length : '');
const counts = {}; D.rows.forEach(r => counts[r.verdict] = (counts[r.verdict] || 0) + 1);
VERDICTS.forEach(v => { const c = el('div', {class: 'card'}); c.style.borderTopColor = COLOR[v];
  c.appendChild(el('b', {}, String(counts[v] || 0))); c.appendChild(document.createTextNode(v));
  document.getElementById('totals').appendChild(c); });
if (D.stale.length) document.getElementById('stale').appendChild(el('p', {class: 'muted'},
  'known deviations that excused nothing: ' + D.stale.join(', ')));
const STATUS = {agree: 'agree', known_deviation: 'known-deviation', disagree: 'disagree', flaky: 'flaky', unobserved: 'error'};
D.coverage.forEach(c => { const box = document.getElementById('coverage');
  box.appendChild(el('h2', {}, 'Behaviour coverage of ' + c.matrix));
  box.appendChild(el('p', {}, c.classes + ' behaviour classes of ' + c.combinations + ' valid combinations: ' + c.observed +
    ' observed (' + c.agree + ' agree, ' + c.known_deviation + ' known deviation, ' + c.disagree + ' disagree, ' + c.flaky +
    ' flaky), ' + c.unobserved + ' unobserved; ' + c.pairs_observed + ' of ' + c.pairs + ' pairs of axis values observed'));
  const byOutcome = {}; c.by_class.forEach(k => (byOutcome[k.outcome] = byOutcome[k.outcome] || []).push(k));
  const t = el('table', {class: 'heat coverage'}); const head = el('tr');
  ['predicted outcome', 'classes', 'observed', 'agree', 'unobserved', 'classes (status, combinations, representative)'].forEach(h => head.appendChild(el('th', {}, h)));
  t.appendChild(head);
  Object.keys(byOutcome).sort().forEach(o => { const ks = byOutcome[o]; const tr = el('tr');
    const n = s => ks.filter(k => k.status === s).length;
    [o, ks.length, ks.length - n('unobserved'), n('agree'), n('unobserved')].forEach(v => tr.appendChild(el('td', {}, String(v))));
    const list = el('td'); list.style.textAlign = 'left';
    ks.forEach(k => { const line = el('div'); const b = badge(STATUS[k.status]); b.textContent = k.status; line.appendChild(b);
      line.appendChild(document.createTextNode(' ' + k.summary + ' (' + k.members + ') '));
      const target = k.observed || k.representative;
      if (target) line.appendChild(el('a', {href: '#row-' + target}, target));
      list.appendChild(line); });
    tr.appendChild(list); t.appendChild(tr); });
  box.appendChild(t); });
const axes = []; D.rows.forEach(r => Object.keys(r.axes).forEach(k => { if (!axes.includes(k)) axes.push(k); }));
const axisValue = (r, a) => a in r.axes ? JSON.stringify(r.axes[a]).replace(/^"|"$/g, '') : '(none)';
const state = {rows: axes[0], cols: axes[1] || axes[0], search: '', verdicts: new Set(VERDICTS), sort: 'id', up: true};
function visible() {
  const words = state.search.toLowerCase().split(/\s+/).filter(Boolean);
  return D.rows.filter(r => state.verdicts.has(r.verdict) && words.every(w =>
    (r.id + ' ' + r.verdict + ' ' + r.predicted + ' ' + r.observed + ' ' + r.rules.join(' ') + ' ' +
     r.deviation + ' ' + Object.values(r.axes).join(' ')).toLowerCase().includes(w)));
}
function mixCell(rows) {
  const td = el('td'); if (!rows.length) { td.className = 'empty'; td.textContent = '-'; return td; }
  const n = {}; rows.forEach(r => n[r.verdict] = (n[r.verdict] || 0) + 1);
  const present = VERDICTS.filter(v => n[v]);
  const text = el('div', {class: 'mix'}); present.forEach((v, i) => { const s = el('span', {}, (i ? ' ' : '') + SHORT[v] + ':' + n[v]);
    s.style.color = COLOR[v]; s.style.fontWeight = '600'; text.appendChild(s); });
  td.appendChild(text);
  const bar = el('div', {class: 'bar'}); present.forEach(v => { const s = el('span'); s.style.flex = String(n[v]);
    s.style.background = COLOR[v]; bar.appendChild(s); });
  td.appendChild(bar);
  td.title = rows.length + ' scenario(s): ' + present.map(v => v + ' ' + n[v]).join(', ');
  td.dataset.mix = present.map(v => SHORT[v] + n[v]).join(' ');
  return td;
}
function heatmap(rows) {
  const box = document.getElementById('heatmap'); box.textContent = '';
  if (!axes.length) { box.appendChild(el('p', {class: 'muted'}, 'no matrix axes in this run (scenario files only)')); return; }
  const rv = [...new Set(D.rows.map(r => axisValue(r, state.rows)))], cv = [...new Set(D.rows.map(r => axisValue(r, state.cols)))];
  const t = el('table', {class: 'heat'}); const head = el('tr'); head.appendChild(el('th', {}, state.rows + ' \\ ' + state.cols));
  cv.forEach(c => head.appendChild(el('th', {}, c))); t.appendChild(head);
  rv.forEach(a => { const tr = el('tr'); tr.appendChild(el('th', {}, a));
    cv.forEach(b => tr.appendChild(mixCell(rows.filter(r => axisValue(r, state.rows) === a && axisValue(r, state.cols) === b))));
    t.appendChild(tr); });
  box.appendChild(t);
}
const key = {id: r => r.id, verdict: r => VERDICTS.indexOf(r.verdict), predicted: r => r.predicted, observed: r => r.observed,
  cpus: r => r.observed_cpus, seconds: r => r.seconds, why: r => r.rules.join(' '), files: r => r.files.length, thumb: r => r.thumb ? 1 : 0};
function table(rows) {
  const body = document.querySelector('#table tbody'); body.textContent = '';
  const k = key[state.sort]; rows = rows.slice().sort((a, b) => { const x = k(a), y = k(b); return (x < y ? -1 : x > y ? 1 : 0) * (state.up ? 1 : -1); });
  rows.forEach(r => { const tr = el('tr', {id: 'row-' + r.id});
    const shot = el('td'); if (r.thumb) { const a = link(r.href && r.href + 'destination.png'); a.appendChild(el('img', {class: 'thumb', src: r.thumb, alt: 'destination screen'})); shot.appendChild(a); }
    tr.appendChild(shot);
    const id = el('td', {}, r.id); if (Object.keys(r.axes).length) id.title = JSON.stringify(r.axes, null, 1); tr.appendChild(id);
    const v = el('td'); v.appendChild(badge(r.verdict));
    if (r.deviation) v.appendChild(el('div', {class: 'muted'}, r.deviation));
    if (r.differences.length) v.appendChild(el('div', {class: 'muted'}, 'differs: ' + r.differences.join(', ')));
    if (r.error) v.appendChild(el('div', {class: 'muted'}, r.error));
    if (r.attempts > 1) v.appendChild(el('div', {class: 'muted'}, r.attempts + ' attempts'));
    if (r.reused) v.appendChild(el('div', {class: 'muted'}, 'reused from run ' + r.reused_from));
    if (r.remediation) v.appendChild(el('div', {class: 'muted'}, 'remediation ' + r.remediation));
    tr.appendChild(v);
    tr.appendChild(el('td', {}, r.predicted + (r.supported ? '' : ' (not supported)')));
    tr.appendChild(el('td', {}, r.observed + (r.stop_code ? ' ' + r.stop_code : '') + (r.detail ? ' - ' + r.detail : '')));
    tr.appendChild(el('td', {}, (r.predicted_cpus || '-') + ' / ' + (r.observed_cpus || '-')));
    tr.appendChild(el('td', {}, r.reused ? '-' : r.seconds.toFixed(1)));
    const why = el('td'); const d = el('details'); d.appendChild(el('summary', {}, r.rules.join(', ') || 'no rule fired'));
    r.reasons.forEach((reason, i) => d.appendChild(el('div', {}, r.rules[i] + ': ' + reason)));
    if (r.actions.length) d.appendChild(el('div', {class: 'muted'}, 'actions: ' + r.actions.join(', ')));
    why.appendChild(d); tr.appendChild(why);
    // One line per VM of the chain: "destination: serial.log xml png job".
    const files = el('td', {class: 'files'}); const byVm = {};
    r.files.forEach(f => { const dot = f.indexOf('.'); const vm = f.includes('.') && f !== 'timings.json' ? f.slice(0, dot) : 'run';
      (byVm[vm] = byVm[vm] || []).push(f); });
    Object.keys(byVm).forEach(vm => { const line = el('div', {}, vm + ': ');
      byVm[vm].forEach(f => line.appendChild(link(r.href && r.href + encodeURIComponent(f), vm === 'run' ? f : f.slice(vm.length + 1))));
      files.appendChild(line); });
    files.appendChild(link(r.href, r.href ? 'folder' : 'folder ' + r.evidence));
    tr.appendChild(files);
    body.appendChild(tr); });
  document.getElementById('count').textContent = rows.length + ' of ' + D.rows.length + ' scenarios match';
}
function render() { const rows = visible(); heatmap(rows); table(rows); }
if (axes.length) { const ctl = document.getElementById('axes-controls');
  ['rows', 'cols'].forEach(which => { const label = el('label', {}, which + ' '); const sel = el('select', {id: 'axis-' + which});
    axes.forEach(a => { const o = el('option', {value: a}, a); if (a === state[which]) o.selected = true; sel.appendChild(o); });
    sel.addEventListener('change', () => { state[which] = sel.value; render(); }); label.appendChild(sel); ctl.appendChild(label); }); }
const vf = document.getElementById('verdict-filter');
VERDICTS.forEach(v => { const l = el('label'); const c = el('input', {type: 'checkbox'}); c.checked = true;
  c.addEventListener('change', () => { if (c.checked) state.verdicts.add(v); else state.verdicts.delete(v); render(); });
  l.appendChild(c); l.appendChild(badge(v)); vf.appendChild(l); vf.appendChild(document.createTextNode(' ')); });
document.getElementById('search').addEventListener('input', e => { state.search = e.target.value; render(); });
document.querySelectorAll('#table th').forEach(th => th.addEventListener('click', () => {
  state.up = state.sort === th.dataset.k ? !state.up : true; state.sort = th.dataset.k;
  document.querySelectorAll('#table th').forEach(h => h.classList.remove('sorted', 'up'));
  th.classList.add('sorted'); if (state.up) th.classList.add('up'); render(); }));
render();
</script></body></html>
)HTML";

}  // namespace

std::string run_html(const RunSummary& summary, const fs::path& page) {
  return std::string(kHead) + data_json(summary, page) + kTail;
}

OutputStatus HtmlSink::finish(const RunSummary& summary) { return write_output_file(path_, run_html(summary, path_)); }

}  // namespace restorelab::run
