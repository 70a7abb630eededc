// The dashboard's script: polls /dashboard.json, turns successive snapshots into rates and a p99, groups the
// backends by pool, lists the routes, follows /events for state changes, and sends drain/enable with the admin
// token. Plain browser JS, nothing to build.
import { cell, pruneRows, rowFor, showPools } from '/backend-rows.js';
import { renderRoutes } from '/routes-view.js';

const POLL_MS = 1000;
const POLL_TIMEOUT_MS = 2500;
/** Rates, error ratio and p99 are computed over this much history. */
const WINDOW_MS = 10_000;
const MAX_EVENTS = 100;
const TOKEN_KEY = 'gateway-admin-token';

const $ = (id) => document.getElementById(id);
let samples = []; // [{ time, snapshot }] oldest first, server clock
let latest;
let lastSuccessAt = 0;
let pollTimer;
/** A poll is out; the event stream is open; the last poll succeeded. */
let [polling, streamOpen, pollOk] = [false, false, false];

const rate = (value) => (value === undefined ? '—' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (value) => (value === undefined ? '—' : `${(value * 100).toFixed(value > 0 && value < 0.1 ? 2 : 1)} %`);
function duration(seconds) {
  if (seconds === undefined) return '—';
  if (!Number.isFinite(seconds)) return `> ${latest.bucketBounds.at(-1)} s`;
  if (seconds < 0.001) return `${(seconds * 1000).toFixed(2)} ms`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
  return `${seconds.toFixed(2)} s`;
}
function age(time, now) {
  if (time === null || time === undefined) return '—';
  const seconds = Math.max(0, (now - time) / 1000);
  return seconds < 60 ? `${seconds.toFixed(1)} s ago` : `${Math.floor(seconds / 60)} min ago`;
}
const clock = (time) => new Date(time).toLocaleTimeString([], { hour12: false });

/** The oldest kept sample inside the window (or the oldest one at all while the window fills). */
function baseline() {
  const cutoff = latest.time - WINDOW_MS;
  return samples.find((sample) => sample.time >= cutoff) ?? samples[0];
}

/** histogram_quantile over the bucket deltas, with linear interpolation inside the bucket. */
function quantile(q, bounds, now, before) {
  const deltas = now.map((count, i) => count - (before?.[i] ?? 0));
  const total = deltas.at(-1);
  if (!(total > 0)) return undefined;
  const rank = q * total;
  const i = deltas.findIndex((count) => count >= rank);
  if (i >= bounds.length) return Infinity;
  const lower = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : deltas[i - 1];
  const inBucket = deltas[i] - below;
  return inBucket > 0 ? lower + (bounds[i] - lower) * ((rank - below) / inBucket) : bounds[i];
}

function backendStats(backend, base, seconds) {
  const before = base?.snapshot.backends.find((b) => b.id === backend.id);
  if (!latest.metricsEnabled || !before || seconds <= 0) return {};
  const requests = backend.requests - before.requests;
  const errors = backend.errors - before.errors;
  return {
    rps: requests / seconds,
    errorRate: requests > 0 ? errors / requests : undefined,
    p99: quantile(0.99, latest.bucketBounds, backend.buckets, before.buckets),
    requests,
    errors,
  };
}

function render() {
  const base = baseline();
  const seconds = base ? (latest.time - base.time) / 1000 : 0;
  $('version').textContent = `v${latest.version}`;
  const table = $('backends');
  const seen = new Set();
  showPools(table, latest.pools);
  let requests = 0;
  let errors = 0;
  const hasToken = Boolean(sessionStorage.getItem(TOKEN_KEY));
  for (const backend of latest.backends) {
    seen.add(backend.id);
    const stats = backendStats(backend, base, seconds);
    requests += stats.requests ?? 0;
    errors += stats.errors ?? 0;
    const row = rowFor(table, backend.pool, backend.id, act);
    row.dataset.state = backend.state;
    cell(row, 'id', backend.id + (backend.backup ? ' (backup)' : ''));
    cell(row, 'url', `${backend.url} · ${backend.source}`);
    cell(row, 'state', backend.state, `state state-${backend.state}`);
    cell(row, 'why', backend.why);
    cell(row, 'since', `since ${clock(backend.since)}`);
    cell(row, 'weight', String(backend.weight));
    cell(row, 'inflight', String(backend.inFlight));
    cell(row, 'rps', rate(stats.rps));
    cell(row, 'errors', percent(stats.errorRate), `num${stats.errorRate > 0 ? ' bad' : ''}`);
    cell(row, 'p99', duration(stats.p99));
    cell(row, 'probe', `probe ${age(backend.lastProbeAt, latest.time)}`);
    cell(row, 'heartbeat', backend.lastHeartbeatAt === null ? '' : `heartbeat ${age(backend.lastHeartbeatAt, latest.time)}`);
    const title = hasToken ? '' : 'Enter the admin token above to drain or enable';
    for (const [selector, disabled] of [['button.drain', backend.state === 'draining'], ['button.enable', backend.state !== 'draining' && backend.state !== 'ejected']]) {
      const button = row.querySelector(selector);
      button.disabled = !hasToken || disabled;
      button.title = title;
    }
  }
  pruneRows(table, seen);
  renderRoutes($('routes').tBodies[0], latest.routes, latest.pools);
  $('empty').hidden = latest.backends.length > 0;

  const before = base?.snapshot;
  const noBackend = before && seconds > 0 ? (latest.noBackend - before.noBackend) / seconds : undefined;
  const known = latest.metricsEnabled && before && seconds > 0;
  $('total-rps').textContent = known ? rate(requests / seconds + noBackend) : '—';
  $('total-eps').textContent = known ? rate(errors / seconds + noBackend) : '—';
  const totalRequests = requests + (known ? latest.noBackend - before.noBackend : 0);
  $('total-error-rate').textContent = known && totalRequests > 0 ? percent((errors + latest.noBackend - before.noBackend) / totalRequests) : '—';
  $('total-no-backend').textContent = known ? rate(noBackend) : '—';
  // With workers: each one's share, from its served count (a replaced worker shows up under its new pid).
  $('workers-tile').hidden = latest.workers.length < 2;
  $('worker-rps').textContent = latest.workers
    .map((worker) => {
      const then = before?.workers.find((other) => other.pid === worker.pid);
      return `${worker.pid}: ${then && seconds > 0 ? rate((worker.served - then.served) / seconds) : '—'}`;
    })
    .join(' · ');
  $('total-available').textContent = `${latest.available} / ${latest.backends.length}`;
  $('total-available').classList.toggle('bad', latest.available === 0);
  $('metrics-note').textContent = latest.metricsEnabled
    ? `Rates, error ratio and p99 are over the last ${Math.round(seconds || WINDOW_MS / 1000)} s, from the gateway's own counters.`
    : 'Metrics are switched off on this gateway (metrics.enabled: false): states only.';
}

function showConnection() {
  const live = pollOk && streamOpen;
  const pill = $('live');
  pill.textContent = live ? 'live' : pollOk ? 'live (event stream reconnecting)' : 'disconnected';
  pill.className = `pill ${live ? 'pill-live' : pollOk ? 'pill-wait' : 'pill-down'}`;
  document.body.classList.toggle('disconnected', !pollOk);
  $('feed-state').textContent = streamOpen ? 'live' : 'paused: reconnecting';
  const banner = $('banner');
  banner.hidden = pollOk;
  if (!pollOk) {
    const since = lastSuccessAt ? `the last data is from ${clock(lastSuccessAt)} (${Math.round((Date.now() - lastSuccessAt) / 1000)} s ago)` : 'no data received yet';
    banner.textContent = `Disconnected: the gateway's admin listener does not answer; ${since}. Retrying every second.`;
  }
}

async function poll() {
  if (polling) return;
  polling = true;
  clearTimeout(pollTimer);
  try {
    const response = await fetch('/dashboard.json', { cache: 'no-store', signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const snapshot = await response.json();
    // A restarted gateway starts its counters again: old samples would give negative rates.
    if (latest && snapshot.backends.some((b) => (latest.backends.find((o) => o.id === b.id)?.requests ?? 0) > b.requests)) samples = [];
    latest = snapshot;
    samples.push({ time: snapshot.time, snapshot });
    while (samples.length > 1 && samples[0].time < snapshot.time - WINDOW_MS - POLL_MS) samples.shift();
    pollOk = true;
    lastSuccessAt = Date.now();
    render();
  } catch {
    pollOk = false;
  } finally {
    polling = false;
    showConnection();
    pollTimer = setTimeout(poll, POLL_MS);
  }
}

function addEvent(event) {
  const item = document.createElement('li');
  item.dataset.backend = event.backend;
  item.dataset.to = event.to;
  const time = document.createElement('time');
  time.textContent = clock(event.time);
  const what = document.createElement('strong');
  what.textContent = `${event.backend}: ${event.from} → ${event.to}`;
  const reason = document.createElement('span');
  reason.className = 'reason';
  reason.textContent = event.reason;
  item.append(time, what, reason);
  const list = $('events');
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

function follow() {
  const stream = new EventSource('/events');
  stream.addEventListener('open', () => { streamOpen = true; showConnection(); });
  stream.addEventListener('error', () => { streamOpen = false; showConnection(); });
  stream.addEventListener('state', (message) => {
    addEvent(JSON.parse(message.data));
    void poll(); // the table follows the change at once instead of on the next tick
  });
}

async function act(id, action) {
  const status = $('action-status');
  status.className = 'action-status';
  status.textContent = `${action} ${id}…`;
  try {
    const response = await fetch(`/pool/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${response.status} ${body.message ?? body.error ?? response.statusText}`);
    status.textContent = `${id} is now ${body.state ?? action}`;
  } catch (error) {
    status.className = 'action-status error';
    status.textContent = `${action} ${id} failed: ${error.message}`;
  }
  void poll();
}

function showToken() {
  const hasToken = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $('token-state').textContent = hasToken ? 'token set (this tab only)' : 'read-only';
  $('forget').hidden = !hasToken;
  if (latest) render();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  showToken();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showToken();
});

showToken();
follow();
void poll();
