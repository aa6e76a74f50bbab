// The optimizer dashboard: plain DOM + SVG, no external code, reads the service's own REST API.
'use strict';

const COLORS = ['#2a7de1', '#d9480f', '#2f9e44', '#ae3ec9', '#f08c00', '#1098ad', '#5c7cfa', '#e64980'];
const SVG = 'http://www.w3.org/2000/svg';

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

function el(tag, attrs, text) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmtTimeout(t) {
  return t ? `${t.connect}/${t.send}/${t.read}` : 'nginx defaults (60/60/60)';
}

function selectedUpstream(list) {
  const wanted = new URLSearchParams(location.search).get('upstream');
  if (wanted && list.some(u => u.upstream === wanted)) return wanted;
  return list.length ? list[0].upstream : null;
}

// Draws named series (arrays of {t, v}) on one chart, with decision markers.
function chart(svg, series, decisions, t0, t1, unit) {
  svg.replaceChildren();
  const W = 600, H = 180, L = 44, R = 8, T = 8, B = 20;
  const values = series.flatMap(s => s.points.map(p => p.v)).filter(v => v !== null && Number.isFinite(v));
  const max = values.length ? Math.max(...values) * 1.1 || 1 : 1;
  const span = Math.max(1, t1 - t0);
  const x = t => L + (W - L - R) * (t - t0) / span;
  const y = v => H - B - (H - T - B) * v / max;
  svg.append(el('svg:line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.append(el('svg:line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  svg.append(el('svg:text', { x: 2, y: T + 8 }, (+max.toPrecision(3)) + unit));
  svg.append(el('svg:text', { x: 2, y: H - B }, '0'));
  svg.append(el('svg:text', { x: L, y: H - 4 }, new Date(t0).toLocaleTimeString()));
  svg.append(el('svg:text', { x: W - R - 50, y: H - 4 }, new Date(t1).toLocaleTimeString()));
  series.forEach((s, i) => {
    const pts = s.points.filter(p => p.v !== null && Number.isFinite(p.v)).map(p => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    if (!pts.length) return;
    const line = el('svg:polyline', { points: pts.join(' '), stroke: COLORS[i % COLORS.length], 'data-series': s.name });
    line.append(el('svg:title', {}, s.name));
    svg.append(line);
    svg.append(el('svg:text', { x: L + 6 + i * 110, y: T + 10, fill: COLORS[i % COLORS.length] }, s.name));
  });
  for (const d of decisions) {
    if (d.at_ms < t0 || d.at_ms > t1) continue;
    const line = el('svg:line', { class: 'decision ' + d.kind, x1: x(d.at_ms), x2: x(d.at_ms), y1: T, y2: H - B, 'data-decision': d.id });
    line.append(el('svg:title', {}, `${d.kind} by ${d.actor} at ${new Date(d.at_ms).toLocaleTimeString()}: ${d.reasons.join('; ')}`));
    svg.append(line);
  }
}

async function renderDetail(key) {
  const [kind, id] = key.split('/');
  const [detail, series] = await Promise.all([
    getJson(`/api/v1/upstreams/${kind}/${encodeURIComponent(id)}`),
    getJson(`/api/v1/upstreams/${kind}/${encodeURIComponent(id)}/series`)
  ]);
  document.getElementById('detail').hidden = false;
  document.getElementById('detail-title').textContent = key;
  document.getElementById('detail-mode').textContent =
    `mode ${detail.mode}${detail.paused ? ' (paused: ' + (detail.pause && detail.pause.reason) + ')' : ''}, mod_revision ${detail.mod_revision}`;
  const points = series.points;
  const decisions = series.decisions;
  const times = points.map(p => p.atMs).concat(decisions.map(d => d.at_ms));
  const t0 = times.length ? Math.min(...times) : Date.now() - 60000;
  const t1 = times.length ? Math.max(...times) : Date.now();
  const pick = f => points.map(p => ({ t: p.atMs, v: f(p) }));
  chart(document.getElementById('chart-latency'), [
    { name: 'p50', points: pick(p => p.p50) }, { name: 'p99', points: pick(p => p.p99) }], decisions, t0, t1, ' ms');
  chart(document.getElementById('chart-errors'), [
    { name: 'error rate', points: pick(p => p.errorRate == null ? null : p.errorRate * 100) }], decisions, t0, t1, ' %');
  chart(document.getElementById('chart-timeouts'), [
    { name: 'connect', points: pick(p => p.timeout.connect) }, { name: 'send', points: pick(p => p.timeout.send) },
    { name: 'read', points: pick(p => p.timeout.read) }], decisions, t0, t1, ' s');
  const nodes = Object.keys(detail.weights);
  chart(document.getElementById('chart-weights'),
    nodes.map(n => ({ name: n, points: pick(p => p.weights[n] ?? null) })), decisions, t0, t1, '');
  const reasons = document.getElementById('reasons');
  reasons.replaceChildren();
  const rec = detail.recommendation;
  if (rec) {
    reasons.append(el('li', { class: 'status-' + rec.status }, `status: ${rec.status}`));
    for (const r of rec.reasons.concat(rec.route_overrides)) reasons.append(el('li', {}, r));
  }
  const list = document.getElementById('decisions');
  list.replaceChildren();
  for (const d of decisions) {
    list.append(el('li', { 'data-decision': d.id }, `${new Date(d.at_ms).toLocaleString()} ${d.kind} (${d.actor}): ${d.reasons.join('; ')}`));
  }
}

async function refresh() {
  try {
    const [status, list] = await Promise.all([getJson('/api/v1/status'), getJson('/api/v1/upstreams')]);
    document.getElementById('status').textContent =
      `${list.length} upstream(s) · leader: ${status.current_leader || 'none'}${status.leader ? ' (this replica)' : ''}`;
    const selected = selectedUpstream(list);
    const body = document.querySelector('#upstreams tbody');
    body.replaceChildren();
    for (const u of list) {
      const row = el('tr', { 'data-upstream': u.upstream, class: u.upstream === selected ? 'selected' : '' });
      [u.upstream, u.mode + (u.paused ? ' (paused)' : ''), u.status, u.requests, (u.error_rate == null ? 'n/a' : (u.error_rate * 100).toFixed(2) + ' %'),
        fmtTimeout(u.timeout), Object.entries(u.weights).map(([n, w]) => `${n}=${w}`).join(' ')]
        .forEach(v => row.append(el('td', {}, String(v))));
      row.addEventListener('click', () => { history.replaceState(null, '', '?upstream=' + encodeURIComponent(u.upstream)); refresh(); });
      body.append(row);
    }
    if (selected) await renderDetail(selected);
    document.body.dataset.ready = 'true';
  } catch (e) {
    document.getElementById('status').textContent = 'error: ' + e.message;
    document.body.dataset.error = e.message;
  }
}

refresh();
setInterval(refresh, 5000);
