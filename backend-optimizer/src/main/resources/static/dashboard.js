// The optimizer dashboard. Charts are Chart.js, served by this service from its WebJar (/webjars/chart.js/…); all data
// comes from the service's own REST API, so nothing is fetched from anywhere else.
'use strict';

const COLORS = ['#1c7ed6', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5c940d', '#364fc7'];
const MARKER = { ejection: '#e03131', weights: '#1c7ed6', timeout: '#7048e8', rollback: '#f08c00', minor: '#adb5bd' };
const REFRESH_MS = 5000;
// A weight move smaller than this share of the node's previous weight is drawn as a "small step": still shown, but
// quietly, so that ejections and real moves stand out.
const SMALL_WEIGHT_STEP = 0.1;

const view = { selected: null, userPicked: false, charts: {} };

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

// ---- formatting ----

const num = (v, digits) => v === null || v === undefined || !Number.isFinite(v) ? '–'
  : (+v.toFixed(digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2))).toLocaleString('en');
const ms = v => num(v) + ' ms';
const pct = v => v === null || v === undefined ? '–' : num(v * 100, v * 100 >= 10 ? 1 : 2) + ' %';
const secs = v => num(v, 3) + ' s';
const two = n => String(n).padStart(2, '0');
const clock = (t, withSeconds) => {
  const d = new Date(t);
  return two(d.getHours()) + ':' + two(d.getMinutes()) + (withSeconds ? ':' + two(d.getSeconds()) : '');
};
// Wall-clock time, with the date only when it is not today.
const when = t => (new Date(t).toDateString() === new Date().toDateString() ? '' : new Date(t).toLocaleDateString('en-CA') + ' ')
  + clock(t, true);

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

// ---- decisions in words ----

// Why a node stands out against its peers in the numbers a decision was taken from, e.g. "p99 3.1x peers' median,
// 420 vs 136 ms"; null when it does not.
function standsOut(addr, nodes) {
  const own = nodes[addr];
  if (!own) return null;
  const peers = Object.entries(nodes).filter(([a, n]) => a !== addr && !n.ejected && n.requests > 0).map(([, n]) => n);
  const why = [];
  const peerP99 = median(peers.map(n => n.p99_ms));
  if (own.p99_ms != null && peerP99 > 0 && own.p99_ms / peerP99 >= 1.5) {
    why.push(`p99 ${(own.p99_ms / peerP99).toFixed(1)}x peers' median, ${num(own.p99_ms)} vs ${ms(peerP99)}`);
  }
  const peerErrors = median(peers.map(n => n.error_rate));
  if (own.requests > 0 && own.error_rate >= 0.02 && own.error_rate > 2 * (peerErrors ?? 0) + 0.005) {
    // A node failing outright is that before it is slow.
    why[own.error_rate >= 0.2 ? 'unshift' : 'push'](`errors ${pct(own.error_rate)} vs peers' ${pct(peerErrors ?? 0)}`);
  }
  if (!why.length && own.health === 'unhealthy') why.push('reported unhealthy by health checks');
  return why.length ? why.join('; ') : null;
}

// Reads a decision as an operator would say it: what changed, on which node, and why.
function describe(d) {
  const before = (d.before && d.before.weights) || {};
  const after = (d.after && d.after.weights) || {};
  const nodes = (d.inputs && d.inputs.nodes) || {};
  const lines = [];
  let category = 'minor';
  const raise = c => { const rank = ['minor', 'weights', 'timeout', 'rollback', 'ejection']; if (rank.indexOf(c) > rank.indexOf(category)) category = c; };
  if (d.kind === 'rollback') {
    raise('rollback');
    lines.push(d.actor === 'guard'
      ? 'rolled back automatically: the error rate got worse after the previous change'
      : `rolled back by ${d.actor === 'api' ? 'an operator' : d.actor}`);
  }
  const moves = [];
  for (const addr of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[addr], a = after[addr];
    if (b === a) continue;
    const why = d.kind === 'rollback' ? null : standsOut(addr, nodes);
    if (b > 0 && a === 0) {
      raise('ejection');
      // The numbers say why when the node stands out; otherwise the engine's own sentence about it.
      const engine = d.reasons.find(r => r.startsWith(addr + ' ') && r.includes('eject'));
      lines.push(`ejected ${addr}: ${why || (engine ? engine.slice(addr.length + 1) : 'see the engine reasons')}`);
    } else if (b === 0 && a > 0 && d.kind !== 'rollback') {
      raise('weights');
      lines.push(`${addr} back from ejection at weight ${a}`);
    } else {
      if (why || b === undefined || Math.abs(a - b) >= Math.max(2, SMALL_WEIGHT_STEP * b)) raise('weights');
      moves.push(`${addr} ${b ?? '–'} -> ${a ?? '–'}`
        + (why ? ` (${why})` : a > b && d.kind !== 'rollback' ? ' (recovering)' : ''));
    }
  }
  if (moves.length) lines.push((d.kind === 'rollback' ? 'weights restored: ' : 'weights: ') + moves.join(', '));
  const tb = d.before && d.before.timeout, ta = d.after && d.after.timeout;
  if (ta && JSON.stringify(tb) !== JSON.stringify(ta)) {
    raise('timeout');
    const from = tb || { connect: 60, send: 60, read: 60 };
    const parts = ['connect', 'send', 'read'].filter(f => from[f] !== ta[f]).map(f => `${f} ${num(from[f], 3)} -> ${secs(ta[f])}`);
    lines.push('timeouts: ' + parts.join(', ') + (tb ? '' : ' (was nginx default 60 s)'));
  }
  if (!lines.length) lines.push(d.reasons.join('; ') || d.kind);
  return { category, headline: lines.join(' · '), lines };
}

// ---- charts ----

function niceStep(spanMs) {
  const steps = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5];
  return steps.find(s => spanMs / s <= 10) ?? steps[steps.length - 1];
}

// Dashed vertical lines at each decision, coloured by what it did.
const decisionMarkers = {
  id: 'decisionMarkers',
  afterDatasetsDraw(chart) {
    const list = chart.$decisions || [];
    const { ctx, chartArea: area, scales: { x } } = chart;
    ctx.save();
    for (const d of list) {
      const px = x.getPixelForValue(d.at_ms);
      if (px < area.left - 1 || px > area.right + 1) continue;
      const major = d.words.category !== 'minor';
      ctx.strokeStyle = MARKER[d.words.category];
      ctx.lineWidth = major ? 2 : 1;
      ctx.setLineDash(major ? [6, 4] : [2, 4]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      if (major) {
        ctx.setLineDash([]);
        ctx.fillStyle = MARKER[d.words.category];
        ctx.beginPath();
        ctx.moveTo(px - 5, area.top);
        ctx.lineTo(px + 5, area.top);
        ctx.lineTo(px, area.top + 7);
        ctx.fill();
      }
    }
    ctx.restore();
  }
};

function decisionsNear(chart, xValue) {
  const x = chart.scales.x;
  const px = x.getPixelForValue(xValue);
  return (chart.$decisions || []).filter(d => Math.abs(x.getPixelForValue(d.at_ms) - px) <= 6);
}

function baseOptions(yTitle, yFormat, extra) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    normalized: true,
    interaction: { mode: 'index', intersect: false },
    layout: { padding: { right: 16, top: 4 } },
    scales: {
      x: {
        type: 'linear',
        title: { display: true, text: 'local time' },
        ticks: { maxRotation: 0, autoSkipPadding: 24, callback: v => clock(v, view.span < 15 * 60e3) },
        grid: { color: '#eef0f3' },
        afterBuildTicks: axis => {
          const step = niceStep(axis.max - axis.min);
          const ticks = [];
          for (let t = Math.ceil(axis.min / step) * step; t <= axis.max; t += step) ticks.push({ value: t });
          axis.ticks = ticks;
        }
      },
      y: {
        beginAtZero: true,
        title: { display: true, text: yTitle },
        ticks: { callback: v => yFormat(v) },
        grid: { color: '#eef0f3' },
        ...(extra && extra.y)
      }
    },
    plugins: {
      legend: { position: 'top', align: 'start', labels: { boxWidth: 22, boxHeight: 2, padding: 12 } },
      tooltip: {
        callbacks: {
          title: items => items.length ? when(items[0].parsed.x) : '',
          label: item => `${item.dataset.label}: ${item.parsed.y === null ? 'no traffic' : item.dataset.format(item.parsed.y)}`,
          footer: items => items.length
            ? decisionsNear(items[0].chart, items[0].parsed.x).map(d => `${d.kind} ${clock(d.at_ms, true)}: ${d.words.headline}`)
            : []
        }
      }
    }
  };
}

// Builds a chart once and afterwards only swaps its data, so hidden series and hover survive the refresh.
function draw(id, datasets, options, decisions, t0, t1, summary) {
  let chart = view.charts[id];
  const sameShape = chart && chart.data.datasets.length === datasets.length
    && chart.data.datasets.every((ds, i) => ds.label === datasets[i].label);
  if (!sameShape) {
    if (chart) chart.destroy();
    chart = new Chart(document.getElementById(id), { type: 'line', data: { datasets }, options, plugins: [decisionMarkers] });
    view.charts[id] = chart;
  } else {
    chart.data.datasets.forEach((ds, i) => { ds.data = datasets[i].data; });
  }
  chart.$decisions = decisions;
  chart.options.scales.x.min = t0;
  chart.options.scales.x.max = t1;
  chart.resize(); // the container may have changed size since the last draw (window resized, panel grew)
  chart.update('none');
  const canvas = chart.canvas;
  canvas.setAttribute('aria-label', summary);
  // The chart's own state, for readers that cannot see the canvas (screen readers, the browser test).
  const fig = canvas.closest('figure');
  fig.dataset.legend = chart.legend.legendItems.map(i => i.text).join('|');
  fig.dataset.yTitle = chart.options.scales.y.title.text;
  fig.dataset.xTicks = chart.scales.x.ticks.map(t => t.label).join('|');
  fig.dataset.points = String(chart.data.datasets.reduce((n, ds) => n + ds.data.filter(p => p.y !== null).length, 0));
  fig.dataset.markers = String(decisions.filter(d => d.at_ms >= t0 && d.at_ms <= t1).length);
}

function line(label, color, data, format, style) {
  return { label, data, format, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0,
    pointHoverRadius: 4, spanGaps: false, ...style };
}

// Timeouts go from nginx's 60 s down to about a second: on a log axis both stay readable. Labels at 1, 2 and 5.
function timeoutOptions() {
  const label = v => {
    const s = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some(k => Math.abs(s - k) < 1e-6) ? num(v, 3) + ' s' : '';
  };
  return baseOptions('timeout (s, log scale)', label, { y: { type: 'logarithmic', beginAtZero: false,
    // Room above 60 s and below the smallest value, so neither line sits on the frame.
    afterDataLimits: axis => { axis.max *= 1.6; axis.min /= 1.6; } } });
}

// ---- page ----

function renderKpis(u, detail) {
  const kpis = document.getElementById('kpis');
  const rec = detail.recommendation;
  const ejected = rec ? Object.entries(rec.inputs.nodes || {}).filter(([, n]) => n.ejected).map(([a]) => a) : [];
  const items = [
    ['mode', `${u.mode}${u.paused ? ' (paused)' : ''}`],
    ['status', u.status.replace('_', ' ')],
    ['requests / interval', u.requests.toLocaleString('en')],
    ['error rate', pct(u.error_rate), u.error_rate >= 0.01],
    ['read timeout', u.timeout ? secs(u.timeout.read) : '60 s (nginx default)'],
    ['ejected', ejected.length ? ejected.join(', ') : 'none', ejected.length > 0]
  ];
  kpis.replaceChildren(...items.map(([k, v, bad]) => el('div', {}, el('dt', {}, k), el('dd', { class: bad ? 'bad' : null }, v))));
}

function renderNodes(detail, nodes, colorOf) {
  const body = document.querySelector('#nodes tbody');
  const inputs = (detail.recommendation && detail.recommendation.inputs.nodes) || {};
  body.replaceChildren(...nodes.map(addr => {
    const n = inputs[addr] || {};
    const h = (detail.health || {})[addr] || {};
    const weight = detail.weights[addr];
    const state = n.ejected ? 'ejected' : weight === 0 ? 'weight 0' : (h.health || n.health || 'no data');
    return el('tr', { 'data-node': addr },
      el('td', {}, el('span', { class: 'swatch', style: `background:${colorOf(addr)}` }), addr),
      el('td', { class: 'num' }, weight ?? '–'),
      el('td', { class: 'num wide' }, num(n.p50_ms ?? (h.latency_ms || {}).p50)),
      el('td', { class: 'num' }, num(n.p99_ms ?? (h.latency_ms || {}).p99)),
      el('td', { class: 'num' }, pct(n.error_rate ?? h.error_rate)),
      el('td', { class: 'num wide' }, (n.requests ?? h.requests ?? 0).toLocaleString('en')),
      el('td', { class: n.ejected ? 'ejected' : null }, state));
  }));
  const reasons = document.getElementById('reasons');
  const rec = detail.recommendation;
  reasons.replaceChildren(...(rec ? rec.reasons.concat(rec.route_overrides) : []).map(r => el('li', {}, r)));
}

function renderDecisions(decisions) {
  const list = document.getElementById('decisions');
  document.getElementById('decision-count').textContent = decisions.length ? `(${decisions.length}, newest first)` : '';
  if (!decisions.length) {
    list.replaceChildren(el('li', { class: 'empty' }, 'none yet'));
    return;
  }
  // Keep the reasons a reader opened open across refreshes.
  const open = new Set([...list.querySelectorAll('details[open]')].map(e => e.closest('li').dataset.decision));
  list.replaceChildren(...decisions.slice().reverse().map(d => el('li', { 'data-decision': d.id, class: d.words.category },
    el('span', { class: 'when' }, `${when(d.at_ms)} · ${d.kind} by ${d.actor}`),
    ...d.words.lines.map(l => el('span', { class: 'what' }, l)),
    el('details', open.has(d.id) ? { open: '' } : {}, el('summary', {}, 'engine reasons'), d.reasons.join('; ')))));
}

async function renderDetail(u) {
  const [kind, id] = u.upstream.split('/');
  const base = `/api/v1/upstreams/${kind}/${encodeURIComponent(id)}`;
  const [detail, series] = await Promise.all([getJson(base), getJson(base + '/series')]);
  const points = series.points;
  const nodes = series.nodes || Object.keys(detail.weights);
  const colorOf = addr => COLORS[Math.max(0, nodes.indexOf(addr)) % COLORS.length];
  const decisions = series.decisions.map(d => ({ ...d, words: describe(d) })).sort((a, b) => a.at_ms - b.at_ms);
  const now = series.now_ms ?? Date.now();
  const times = points.map(p => p.at_ms);
  const t0 = Math.min(times.length ? times[0] : now - 60e3, ...decisions.map(d => d.at_ms));
  const t1 = Math.max(now, times.length ? times[times.length - 1] : now);
  view.span = t1 - t0;

  // The panels first: the charts then size themselves to the layout as it will stay.
  renderKpis(u, detail);
  renderNodes(detail, nodes, colorOf);
  renderDecisions(decisions);

  const perNode = (addr, f) => points.map(p => {
    const n = (p.nodes || {})[addr];
    return { x: p.at_ms, y: n ? f(n, p) : null };
  });
  const hasNodeData = points.some(p => p.nodes && Object.keys(p.nodes).length);
  const last = points.length ? points[points.length - 1] : null;

  const latency = hasNodeData ? nodes.flatMap(addr => [
    line(`${addr} p99`, colorOf(addr), perNode(addr, n => n.requests > 0 ? n.p99_ms : null), ms),
    line(`${addr} p50`, colorOf(addr), perNode(addr, n => n.requests > 0 ? n.p50_ms : null), ms,
      { borderDash: [5, 4], borderWidth: 1.5 })])
    : [line('p99 (all nodes)', COLORS[0], points.map(p => ({ x: p.at_ms, y: p.p99 })), ms),
      line('p50 (all nodes)', COLORS[0], points.map(p => ({ x: p.at_ms, y: p.p50 })), ms, { borderDash: [5, 4] })];
  const latencyOptions = baseOptions('latency (ms)', v => num(v) + ' ms');
  // One legend entry per node (clicking it hides both its p99 and p50); the caption says which line is which.
  if (hasNodeData) {
    latencyOptions.plugins.legend.labels.generateLabels = chart => Chart.defaults.plugins.legend.labels
      .generateLabels(chart).filter(item => item.text.endsWith(' p99'))
      .map(item => ({ ...item, text: item.text.slice(0, -' p99'.length), lineDash: [] }));
  }
  latencyOptions.plugins.legend.onClick = (e, item, legend) => {
    const chart = legend.chart;
    const node = item.text.replace(/ p(50|99)$/, '');
    const hide = chart.isDatasetVisible(item.datasetIndex);
    chart.data.datasets.forEach((ds, i) => { if (ds.label.replace(/ p(50|99)$/, '') === node) chart.setDatasetVisibility(i, !hide); });
    chart.update('none');
  };
  draw('chart-latency', latency, latencyOptions, decisions, t0, t1,
    'Latency per node in ms, p99 solid and p50 dashed. ' + (last && last.nodes
      ? nodes.map(a => `${a}: p99 ${ms((last.nodes[a] || {}).p99_ms)}`).join(', ') : ''));

  const errors = [
    ...(hasNodeData ? nodes.map(addr => line(addr, colorOf(addr), perNode(addr, n => n.requests > 0 ? n.error_rate * 100 : null), v => num(v) + ' %')) : []),
    line('all nodes', '#495057', points.map(p => ({ x: p.at_ms, y: p.requests > 0 ? p.error_rate * 100 : null })),
      v => num(v) + ' %', { borderDash: [2, 3], borderWidth: 1.5 })];
  draw('chart-errors', errors, baseOptions('error rate (%)', v => num(v) + ' %', { y: { suggestedMax: 1 } }), decisions, t0, t1,
    'Error rate per node in percent. ' + (last ? `All nodes: ${pct(last.error_rate)}` : ''));

  const weights = nodes.map(addr => line(addr, colorOf(addr),
    points.map(p => ({ x: p.at_ms, y: p.weights[addr] ?? null })), v => String(v), { stepped: 'before' }));
  draw('chart-weights', weights, baseOptions('weight', v => String(v), { y: { ticks: { precision: 0 } } }), decisions, t0, t1,
    'Node weights. ' + nodes.map(a => `${a}: ${detail.weights[a]}`).join(', '));

  const tout = (f, label, color, style) => line(label, color, points.map(p => ({ x: p.at_ms, y: p.timeout[f] })), secs,
    { stepped: 'before', ...style });
  draw('chart-timeouts', [
    tout('read', 'read', '#7048e8'), tout('send', 'send', '#f08c00', { borderDash: [6, 4] }), tout('connect', 'connect', '#0c8599')],
  timeoutOptions(), decisions, t0, t1,
  'Upstream timeouts in seconds. ' + (last ? `connect ${secs(last.timeout.connect)}, send ${secs(last.timeout.send)}, read ${secs(last.timeout.read)}` : ''));

}

// The upstream to show: the one in the address bar, else the user's pick, else the one with the most traffic.
function choose(list) {
  const wanted = new URLSearchParams(location.search).get('upstream');
  if (wanted && list.some(u => u.upstream === wanted)) return wanted;
  if (view.selected && list.some(u => u.upstream === view.selected)) return view.selected;
  const busiest = list.reduce((best, u) => (!best || u.requests > best.requests ? u : best), null);
  return busiest ? busiest.upstream : null;
}

function renderPicker(list, selected) {
  const picker = document.getElementById('upstream-picker');
  // Busiest first, so the picker doubles as a ranking.
  const ordered = list.slice().sort((a, b) => b.requests - a.requests || a.upstream.localeCompare(b.upstream));
  const labels = ordered.map(u =>
    `${u.upstream} · ${u.requests.toLocaleString('en')} req · ${pct(u.error_rate)} errors · ${u.status.replace('_', ' ')}`);
  // Rebuilding the options would close the list under a user who has it open: only when something changed.
  const key = JSON.stringify([selected, labels]);
  if (picker.dataset.key === key) return;
  picker.dataset.key = key;
  picker.replaceChildren(...ordered.map((u, i) => el('option', { value: u.upstream, 'data-requests': u.requests }, labels[i])));
  picker.value = selected;
}

async function refresh() {
  try {
    const [status, list] = await Promise.all([getJson('/api/v1/status'), getJson('/api/v1/upstreams')]);
    const selected = choose(list);
    view.selected = selected;
    renderPicker(list, selected);
    document.body.dataset.upstream = selected || '';
    if (selected) await renderDetail(list.find(u => u.upstream === selected));
    document.getElementById('status').textContent = `leader ${status.current_leader || 'none'}`
      + `${status.leader ? ' (this replica)' : ''} · updated ${clock(Date.now(), true)}`;
    document.body.dataset.ready = 'true';
  } catch (e) {
    document.getElementById('status').textContent = 'error: ' + e.message;
    document.body.dataset.error = e.message;
    console.error(e);
  }
}

document.getElementById('upstream-picker').addEventListener('change', e => {
  view.selected = e.target.value;
  history.replaceState(null, '', '?upstream=' + encodeURIComponent(view.selected));
  refresh();
});
// Chart.js follows its container through a ResizeObserver, a frame later; a wall screen's browser going full screen
// (or a headless one resizing before its screenshot) should not see charts of the old size in between.
window.addEventListener('resize', () => Object.values(view.charts).forEach(c => c.resize()));
Chart.defaults.font.size = window.innerWidth >= 1600 ? 13 : 12;
Chart.defaults.color = '#3d4656';
refresh();
setInterval(refresh, REFRESH_MS);
