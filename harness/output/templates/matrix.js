const colors = {'boots':'#2e9e55','boots-degraded':'#d99a2b','stop-0x7b':'#c0392b','stop-0x79':'#a93226',
  'stop-0xa5':'#922b21','no-bootable-device':'#6c3483','restore-refused':'#34495e','hang':'#7b241c',
  'boot-file-missing':'#884ea0','role-fails':'#2874a6'};
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
