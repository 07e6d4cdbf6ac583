// dialroute admin page: plain DOM, no framework, nothing fetched from elsewhere.
// The API lives next to this page (/dialroute/admin/...), the metrics one level up (/dialroute/metrics).
// The browser sends the Basic credentials it asked for when the page loaded.
'use strict';

const API = '.';              // page is /dialroute/admin/, so ./plan is /dialroute/admin/plan
const METRICS = '../metrics';
const METRICS_EVERY_MS = 5000;
const HEALTH_EVERY_MS = 2000;

const $ = (sel) => document.querySelector(sel);

/** Makes an element: el('td', {class: 'x'}, 'text', child, ...). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function row(...cells) {
  return el('tr', null, ...cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', null, c))));
}

function fill(tbody, rows, emptyText, columns) {
  tbody.replaceChildren(...rows);
  if (rows.length === 0) tbody.append(el('tr', null, el('td', { colspan: columns, class: 'muted' }, emptyText)));
}

/** fetch + JSON; resolves to {status, body}; a network failure becomes status 0. */
async function call(method, path) {
  let response;
  try {
    response = await fetch(path, { method, headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    return { status: 0, body: { error: 'cannot reach the server: ' + e.message } };
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: 'HTTP ' + response.status + ' without a JSON answer' };
  }
  return { status: response.status, body };
}

function errorBox(text) {
  return el('p', { class: 'error' }, text);
}

// ---- plan ------------------------------------------------------------------------------------

async function loadPlan() {
  const { status, body } = await call('GET', API + '/plan');
  if (status !== 200) {
    $('#plan-summary').replaceChildren(errorBox('plan: ' + (body.error || 'HTTP ' + status)));
    return;
  }
  $('#plan-summary').replaceChildren(
    'plan ', el('code', null, body.source), ' version ', el('code', { id: 'plan-version' }, body.version),
    ', ' + body.rules.length + ' rules');
  fill($('#plan-table tbody'), body.rules.map((r) => row(
    el('td', { class: 'prefix' }, el('code', null, r.prefix)),
    r.description || '',
    // The API gives the conditions as a list's text, "[caller starts with 1000, ...]".
    el('td', { class: r.conditions ? '' : 'muted' }, r.conditions ? r.conditions.replace(/^\[(.*)\]$/s, '$1') : 'always'),
    el('td', { class: r.rewrite === 'unchanged' ? 'muted' : '' }, r.rewrite),
    el('td', { class: 'action ' + r.action.split(' ')[0] }, r.action),
    el('td', { class: 'muted num' }, r.line),
    el('td', { class: 'num' }, r.calls))), 'the plan has no rules', 7);
  fill($('#destinations-table tbody'), Object.entries(body.destinations).map(([name, where]) => row(
    el('td', null, el('code', null, name)), where)), 'none', 2);
}

// ---- lookup ----------------------------------------------------------------------------------

const VERDICT_TEXT = { chosen: 'chosen', conditions_failed: 'conditions failed',
  destinations_unavailable: 'destinations unavailable, next rule' };

async function lookup(event) {
  event.preventDefault();
  const form = event.target;
  const params = new URLSearchParams();
  for (const name of ['number', 'caller', 'source', 'at']) {
    const v = form.elements[name].value.trim();
    if (v) params.set(name, v);
  }
  const out = $('#lookup-result');
  out.replaceChildren(el('p', { class: 'muted' }, 'looking up…'));
  const { status, body } = await call('GET', API + '/lookup?' + params);
  if (status !== 200) {
    out.replaceChildren(errorBox(body.error || 'HTTP ' + status));
    return;
  }
  out.replaceChildren(...explanation(body));
}

function explanation(w) {
  const parts = [];
  parts.push(el('p', { class: 'decision' }, el('strong', null, decisionLine(w))));

  const cands = w.candidates.map((c) => row(
    el('td', { class: 'prefix' }, el('code', null, c.prefix)),
    el('td', { class: 'muted num' }, c.line),
    c.description || '',
    el('td', { class: 'verdict ' + c.verdict }, VERDICT_TEXT[c.verdict] || c.verdict.replace(/_/g, ' ')),
    el('td', null, ...(c.conditions.length === 0 ? [el('span', { class: 'muted' }, 'none')]
      : c.conditions.map((k) => el('div', { class: k.held ? 'held' : 'failed' },
        (k.held ? '✓ ' : '✗ ') + k.condition, k.observed ? el('span', { class: 'muted' }, ' (' + k.observed + ')') : null))))));
  const table = el('table', { class: 'candidates' },
    el('thead', null, el('tr', null, ...['prefix', 'line', 'description', 'verdict', 'conditions'].map((h) => el('th', null, h)))),
    el('tbody'));
  fill(table.tBodies[0], cands, 'no rule has a prefix of ' + w.dialled, 5);
  parts.push(el('h3', null, 'Candidate rules, longest prefix first'), table);

  parts.push(el('h3', null, 'Number'),
    el('p', null, el('code', null, w.dialled), ' → ', el('code', null, w.number === null ? '—' : w.number),
      el('span', { class: 'muted' }, ' (' + (w.rewrite || 'unchanged') + ')')));

  if (w.skipped && w.skipped.length > 0) {
    parts.push(el('h3', null, 'Left out (down or disabled)'), el('p', { class: 'bad' }, w.skipped.join(', ')));
  }
  parts.push(el('h3', null, 'On the wire'), wire(w));
  return parts;
}

function decisionLine(w) {
  const rule = w.rule ? 'rule ' + w.rule.prefix + ' (line ' + w.rule.line + ')' : 'no rule';
  if (w.reject) return `${w.reject.status} ${w.reject.reason} — ${rule}`;
  if (w.redirect) return `${w.redirect.status} ${w.redirect.reason} — redirect by ${rule}`;
  if (w.proxy) return `proxy ${w.proxy.strategy} — ${rule}`;
  return w.action + ' — ' + rule;
}

function wire(w) {
  if (w.reject) {
    return el('p', null, 'Response ', el('code', null, `SIP/2.0 ${w.reject.status} ${w.reject.reason}`
      + (w.reject.retry_after ? `, Retry-After: ${w.reject.retry_after}` : '')),
      el('span', { class: 'muted' }, w.reject.cause ? ' (' + w.reject.cause + ')' : ''));
  }
  if (w.redirect) {
    return el('div', null,
      el('p', null, 'Response ', el('code', null, `SIP/2.0 ${w.redirect.status} ${w.redirect.reason}`), ' with'),
      el('ul', null, ...w.redirect.contacts.map((c) => el('li', null, el('code', null, c.header || c.uri),
        el('span', { class: 'muted' }, ' (' + c.destination + ')')))));
  }
  if (w.proxy) {
    const p = w.proxy;
    const notes = [p.forking, p.order === 'listed' ? null : 'order ' + p.order, p.record_route ? 'Record-Route' : 'no Record-Route'];
    if (p.failover) {
      notes.push('fails over on ' + p.failover.on.join(', ') +
        (p.failover.provisional_timeout_seconds ? ', or after ' + p.failover.provisional_timeout_seconds + ' s silent' : ''));
    }
    return el('div', null,
      el('p', null, 'INVITE, ' + p.strategy + ', to', el('span', { class: 'muted' }, ' (' + notes.filter(Boolean).join('; ') + ')')),
      el('ol', null, ...p.chain.map((b) => el('li', null, el('code', null, 'INVITE ' + b.uri),
        el('span', { class: 'muted' }, ' (' + b.destination + (b.destination_rewrite ? ', ' + b.destination_rewrite : '') + ')')))));
  }
  return el('p', { class: 'muted' }, 'nothing');
}

// ---- reload ----------------------------------------------------------------------------------

async function reload(dryRun) {
  const numbers = $('#reload-form').elements.numbers.value.split(/[\s,;]+/).filter(Boolean).join(',');
  const params = new URLSearchParams();
  if (dryRun) params.set('dry-run', 'true');
  if (numbers) params.set('numbers', numbers);
  const out = $('#reload-result');
  const apply = $('#apply');
  apply.disabled = true;
  out.replaceChildren(el('p', { class: 'muted' }, dryRun ? 'checking the plan file…' : 'reloading…'));
  const query = params.toString();
  const { status, body } = await call('POST', API + '/reload' + (query ? '?' + query : ''));
  if (status === 422) {
    out.replaceChildren(
      el('p', { class: 'error' }, el('strong', null, 'The plan file has ' + body.problems.length + ' problem' +
        (body.problems.length === 1 ? '' : 's')), ' — nothing was changed:'),
      el('ul', { class: 'problems' }, ...body.problems.map((p) =>
        el('li', null, el('code', null, `${p.file}:${p.line}:${p.column}`), ': ' + p.message))));
    return;
  }
  if (status !== 200) {
    out.replaceChildren(errorBox(body.error || 'HTTP ' + status));
    return;
  }
  const same = body.serving_version === body.new_version;
  const head = dryRun
    ? el('p', { class: 'ok' }, el('strong', null, 'The plan file is valid.'), ' ',
      same ? 'It is the plan in service (version ' + body.new_version + ').'
        : `Version ${body.new_version} would replace ${body.serving_version}. Press Apply to put it in service.`)
    : el('p', { class: 'ok' }, el('strong', null, 'Reloaded.'), ' In service: version ' + body.in_service + '.');
  const changes = el('table', { class: 'changes' },
    el('thead', null, el('tr', null, el('th', null, 'number'), el('th', null, 'before'), el('th', null, 'after'))), el('tbody'));
  fill(changes.tBodies[0], body.changed.map((c) => row(el('td', null, el('code', null, c.number)), c.before, c.after)),
    numbers ? 'none of the sample numbers would be routed differently' : 'no sample numbers given', 3);
  out.replaceChildren(head, el('h3', null, dryRun ? 'Sample numbers whose routing would change' : 'Sample numbers whose routing changed'), changes);
  if (dryRun) {
    apply.disabled = false;
    apply.title = 'Put the checked plan file in service';
  } else {
    loadPlan();
  }
}

// ---- destinations ----------------------------------------------------------------------------

async function loadHealth() {
  const { status, body } = await call('GET', API + '/destinations');
  if (status !== 200) {
    $('#health-status').textContent = 'destinations unavailable: ' + (body.error || 'HTTP ' + status);
    return;
  }
  fill($('#health-table tbody'), body.destinations.map((d) => {
    const c = d.counters;
    const toggle = el('button', { type: 'button', class: 'small', 'data-destination': d.name, 'aria-pressed': String(d.enabled),
      title: d.enabled ? 'Take it out of routing (kept across plan reloads)' : 'Let it get calls again' },
    d.enabled ? 'enabled' : 'disabled');
    toggle.addEventListener('click', () => setEnabled(d.name, !d.enabled));
    return el('tr', { class: d.gets_calls ? '' : 'unavailable', 'data-destination': d.name },
      el('td', null, el('code', null, d.name)),
      el('td', null, el('code', null, d.uri)),
      el('td', { class: 'health ' + d.health.replace(' ', '-') }, d.health),
      el('td', { class: 'muted' }, d.since ? new Date(d.since).toLocaleTimeString() : ''),
      el('td', null, d.last_reply || ''),
      el('td', { class: 'num' }, d.latency_ms === null ? '' : d.latency_ms.toFixed(1) + ' ms'),
      el('td', null, toggle),
      el('td', { class: 'num' }, c.attempts),
      ...['2xx', '3xx', '4xx', '5xx', '6xx'].map((k) => el('td', { class: 'num' + (c.responses[k] && /^[456]/.test(k) ? ' bad' : '') },
        c.responses[k] || '')),
      el('td', { class: 'num' }, c.failovers || ''));
  }), 'the plan names no destinations', 14);
  $('#health-status').textContent = 'updated ' + new Date().toLocaleTimeString() + ', every ' + HEALTH_EVERY_MS / 1000 + ' s';
}

async function setEnabled(name, enabled) {
  const { status, body } = await call('POST', API + '/destinations/' + encodeURIComponent(name) + '?enabled=' + enabled);
  if (status !== 200) {
    $('#health-status').textContent = name + ': ' + (body.error || 'HTTP ' + status);
    return;
  }
  loadHealth();
}

// ---- metrics ---------------------------------------------------------------------------------

/** Parses Prometheus text format into [{name, labels, value}], skipping comments. */
function parsePrometheus(text) {
  const samples = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const m = line.exec(l);
    if (!m) continue;
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(label)) {
        labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, ''));

async function loadMetrics() {
  let text;
  try {
    const response = await fetch(METRICS, { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    text = await response.text();
  } catch (e) {
    $('#metrics-status').textContent = 'metrics unavailable: ' + e.message;
    return;
  }
  const s = parsePrometheus(text);
  const of = (name) => s.filter((x) => x.name === name);

  const calls = of('dialroute_calls_total').sort((a, b) => b.value - a.value);
  fill($('#calls-table tbody'), calls.map((x) => row(
    el('td', { class: 'prefix' }, el('code', null, x.labels.prefix)), x.labels.action, el('td', { class: 'num' }, fmt(x.value)))),
  'no calls yet', 3);

  const dests = new Map();
  const dest = (name) => dests.get(name) || dests.set(name, { attempts: 0 }).get(name);
  for (const x of of('dialroute_destination_attempts_total')) dest(x.labels.destination).attempts = x.value;
  for (const x of of('dialroute_destination_responses_total')) dest(x.labels.destination)[x.labels.class] = x.value;
  fill($('#destinations-metrics tbody'), [...dests.entries()].sort().map(([name, d]) => row(
    el('td', null, el('code', null, name)), el('td', { class: 'num' }, fmt(d.attempts)),
    ...['2xx', '3xx', '4xx', '5xx', '6xx'].map((c) => el('td', { class: 'num' + (d[c] && /^[456]/.test(c) ? ' bad' : '') }, d[c] ? fmt(d[c]) : '')))),
  'nothing proxied yet', 7);

  const other = [];
  const add = (title, name, labelName) => {
    for (const x of of(name)) other.push(row(title + (labelName ? ' ' + x.labels[labelName] : ''), el('td', { class: 'num' }, fmt(x.value))));
  };
  add('rejects', 'dialroute_rejects_total', 'status');
  add('redirects', 'dialroute_redirects_total', 'status');
  add('failovers, rule', 'dialroute_failovers_total', 'prefix');
  add('calls shed (overload)', 'dialroute_calls_shed_total');
  add('refused as flood', 'dialroute_flood_refused_total');
  const count = of('dialroute_call_setup_seconds_count');
  const sum = of('dialroute_call_setup_seconds_sum');
  for (const c of count) {
    const t = sum.find((x) => x.labels.action === c.labels.action);
    if (c.value > 0 && t) other.push(row('mean setup ' + c.labels.action, el('td', { class: 'num' }, (1000 * t.value / c.value).toFixed(1) + ' ms')));
  }
  add('plan reloads', 'dialroute_plan_reloads_total', 'result');
  add('rules in service', 'dialroute_plan_rules');
  fill($('#other-metrics tbody'), other, 'nothing yet', 2);
  $('#metrics-status').textContent = 'updated ' + new Date().toLocaleTimeString() + ', every ' + METRICS_EVERY_MS / 1000 + ' s';
}

// ---- start -----------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('#plan-refresh').addEventListener('click', loadPlan);
  $('#lookup-form').addEventListener('submit', lookup);
  $('#reload-form').addEventListener('submit', (e) => { e.preventDefault(); reload(true); });
  $('#apply').addEventListener('click', () => reload(false));
  // Another set of numbers or an edited file: check again before applying.
  $('#reload-form').elements.numbers.addEventListener('input', () => { $('#apply').disabled = true; });
  loadPlan();
  loadMetrics();
  loadHealth();
  setInterval(loadMetrics, METRICS_EVERY_MS);
  setInterval(loadHealth, HEALTH_EVERY_MS);
});
