const VERDICTS = ['agree', 'known-deviation', 'disagree', 'flaky', 'error'];
const COLOR = {'agree':'#2e9e55','known-deviation':'#2874a6','disagree':'#c0392b','flaky':'#d98a1b','error':'#6c6f7a'};
const SHORT = {'agree':'A','known-deviation':'K','disagree':'D','flaky':'F','error':'E'};
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
