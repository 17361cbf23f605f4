// The ClusterTrainer dashboard: polls the coordinator's JSON endpoints every two seconds and draws what they say.
// No libraries: the charts are plain SVG. The bearer token (when the coordinator asks for one) lives in this tab's
// sessionStorage only; it can also be handed over once in the address as #token=... (never sent to the server there).
"use strict";

const REFRESH_MS = 2000;
const TOKEN_KEY = "clustertrainer-token";
const COLORS = ["#0969da", "#cf222e", "#1a7f37", "#8250df"];
const SVG = "http://www.w3.org/2000/svg";

const state = { token: sessionStorage.getItem(TOKEN_KEY) || "", selected: null, cancelling: new Set(), timer: null };

class Unauthorized extends Error {}

const $ = (id) => document.getElementById(id);

function takeTokenFromAddress() {
  if (location.hash.startsWith("#token=")) {
    state.token = decodeURIComponent(location.hash.slice("#token=".length));
    sessionStorage.setItem(TOKEN_KEY, state.token);
    history.replaceState(null, "", location.pathname + location.search);
  }
}

async function api(path, method = "GET") {
  const headers = state.token ? { Authorization: "Bearer " + state.token } : {};
  const response = await fetch("api" + path, { method, headers, cache: "no-store" });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    throw new Unauthorized(body.error || "the token was refused");
  }
  if (!response.ok) {
    throw new Error(body.error || `${path}: HTTP ${response.status}`);
  }
  return body;
}

// ---- formatting ------------------------------------------------------------------------------------------------------

const number = (value) => Number(value);
const isDqn = (job) => (job.model || "").startsWith("dqn");
const percent = (value) => (100 * value).toFixed(2) + " %";
const thousands = (value) => Math.round(value).toLocaleString("en-US");

function stateName(job) {
  return (job.state || "").replace("JOB_STATE_", "").toLowerCase();
}

function progressOf(job) {
  const done = number(job.samplesDone);
  const total = number(job.samplesTotal);
  const fraction = total > 0 ? Math.min(1, done / total) : stateName(job) === "finished" ? 1 : 0;
  // A job that never started (queued, or cancelled in the queue) has no progress to show yet.
  const text = done === 0 && job.epoch === 0 ? "-"
    : isDqn(job) ? `${thousands(done)} / ${thousands(total)} env steps`
    : `epoch ${job.epoch}/${job.epochs}`;
  return { fraction, text };
}

function lossOrReturn(job) {
  const state = stateName(job);
  if (isDqn(job)) {
    if (state === "finished") return `greedy ${number(job.evalMeanReturn).toFixed(1)}`;
    return state === "queued" || number(job.samplesDone) === 0 ? "-" : `mean return ${number(job.lastLoss).toFixed(1)}`;
  }
  return state === "queued" || number(job.samplesDone) === 0 ? "-" : number(job.lastLoss).toFixed(4);
}

function accuracyOf(job, finishedEpochs) {
  if (isDqn(job)) return "-";
  return finishedEpochs > 0 || stateName(job) === "finished" ? percent(number(job.testAccuracy)) : "-";
}

// ---- tables ----------------------------------------------------------------------------------------------------------

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderCluster(status) {
  const busy = status.busyWorkers, idle = status.idleWorkers;
  $("cluster-summary").textContent =
    `${busy + idle} registered workers (${busy} busy, ${idle} idle) · queued jobs: ${status.queuedJobs} · running: ${(status.runningJobs || []).join(", ") || "none"}`;
  const body = $("members").tBodies[0];
  body.replaceChildren();
  for (const member of status.members) {
    const row = body.insertRow();
    cell(row, member.address, "id");
    cell(row, member.roles.join(", "));
    cell(row, member.status);
    cell(row, member.reachable ? "yes" : "no", member.reachable ? "" : "error");
    cell(row, member.busy ? "yes" : "no");
  }
}

// Newest first: job ids begin with their UTC submit time.
const newestFirst = (jobs) => [...jobs].sort((a, b) => (a.jobId < b.jobId ? 1 : -1));

/** Keeps the job the user clicked; otherwise follows the running job, else the newest. */
function chooseSelected(jobs) {
  if (!state.selected || !jobs.some((j) => j.jobId === state.selected)) {
    const sorted = newestFirst(jobs);
    state.selected = (sorted.find((j) => stateName(j) === "running") || sorted[0] || {}).jobId || null;
  }
  return jobs.find((j) => j.jobId === state.selected) || null;
}

function renderJobs(jobs, series) {
  const sorted = newestFirst(jobs);
  $("no-jobs").hidden = sorted.length > 0;
  const body = $("jobs").tBodies[0];
  body.replaceChildren();
  for (const job of sorted) {
    const row = body.insertRow();
    row.dataset.jobId = job.jobId;
    row.classList.toggle("selected", job.jobId === state.selected);
    row.addEventListener("click", () => { state.selected = job.jobId; refresh(); });
    const name = stateName(job);
    cell(row, job.jobId, "id");
    cell(row, job.name || "");
    cell(row, job.model);
    const stateCell = cell(row, name, "state state-" + name);
    if (name === "failed") stateCell.title = job.error;
    const progress = progressOf(job);
    const progressCell = row.insertCell();
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = progress.fraction;
    progressCell.append(bar, progress.text);
    cell(row, lossOrReturn(job));
    const finishedEpochs = job.jobId === state.selected && series ? series.epochs.length : Math.max(0, job.epoch - 1);
    cell(row, accuracyOf(job, finishedEpochs));
    const actions = row.insertCell();
    if (name === "queued" || name === "running") {
      const button = document.createElement("button");
      button.className = "cancel";
      button.textContent = state.cancelling.has(job.jobId) ? "cancelling…" : "Cancel";
      button.disabled = state.cancelling.has(job.jobId);
      button.addEventListener("click", (event) => { event.stopPropagation(); cancel(job.jobId); });
      actions.append(button);
    }
  }
}

async function cancel(jobId) {
  state.cancelling.add(jobId);
  try {
    await api(`/jobs/${encodeURIComponent(jobId)}/cancel`, "POST");
  } catch (error) {
    state.cancelling.delete(jobId);
    $("error").textContent = `cancel ${jobId}: ${error.message}`;
  }
  refresh();
}

// ---- charts ----------------------------------------------------------------------------------------------------------

function niceTicks(min, max, count, whole = false) {
  if (!(max > min)) { max = min + 1; }
  const raw = (max - min) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const nice = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw);
  const step = whole ? Math.max(1, Math.round(nice)) : nice;
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(t);
  return { ticks, step };
}

function label(value, step) {
  if (Math.abs(value) >= 10000) return thousands(value);
  const digits = Math.max(0, Math.min(4, -Math.floor(Math.log10(step))));
  return value.toFixed(digits);
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws line series (points as [x, y]) with axes and a grid; the key goes in the caption, off the data. */
function drawChart(svg, caption, title, { series, xLabel, yLabel, yMin, yMax, wholeX = false }) {
  const width = 560, height = 280, left = 58, right = 16, top = 14, bottom = 42;
  svg.replaceChildren();
  caption.replaceChildren(title);
  const points = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (points.length === 0) {
    svg.append(element("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" }, "no data yet"));
    return;
  }
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = yMin ?? Math.min(...ys), y1 = yMax ?? Math.max(...ys);
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.1 + 0.1; y1 += Math.abs(y1) * 0.1 + 0.1; }
  const padY = yMin === undefined || yMax === undefined ? (y1 - y0) * 0.05 : 0;
  if (yMin === undefined) y0 -= padY;
  if (yMax === undefined) y1 += padY;
  const px = (x) => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const py = (y) => top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom);

  const yTicks = niceTicks(y0, y1, 5), xTicks = niceTicks(x0, x1, 6, wholeX);
  for (const t of yTicks.ticks) {
    svg.append(element("line", { x1: left, x2: width - right, y1: py(t), y2: py(t), class: "grid" }));
    svg.append(element("text", { x: left - 6, y: py(t) + 4, "text-anchor": "end" }, label(t, yTicks.step)));
  }
  for (const t of xTicks.ticks) {
    svg.append(element("line", { x1: px(t), x2: px(t), y1: top, y2: height - bottom, class: "grid" }));
    svg.append(element("text", { x: px(t), y: height - bottom + 16, "text-anchor": "middle" }, label(t, xTicks.step)));
  }
  svg.append(element("line", { x1: left, x2: left, y1: top, y2: height - bottom, class: "axis" }));
  svg.append(element("line", { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, class: "axis" }));
  svg.append(element("text", { x: (left + width - right) / 2, y: height - 6, "text-anchor": "middle" }, xLabel));
  svg.append(element("text", { x: 14, y: (top + height - bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 14 ${(top + height - bottom) / 2})` }, yLabel));

  series.forEach((s, index) => {
    const color = COLORS[index % COLORS.length];
    const valid = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const line = element("polyline", {
      class: "series", stroke: color, "data-series": s.name, "data-count": valid.length,
      points: valid.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" "),
    });
    svg.append(line);
    if (s.markers) {
      for (const [x, y] of valid) svg.append(element("circle", { cx: px(x), cy: py(y), r: 3.5, fill: color }));
    }
    const key = document.createElement("span");
    key.className = "key";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = color;
    key.append(swatch, s.name);
    caption.append(key);
  });
}

function renderDetail(job, series) {
  $("detail").hidden = !job;
  if (!job) return;
  const name = stateName(job);
  $("detail-title").textContent = `${job.jobId} (${job.model}, ${name})`;
  $("detail-note").textContent = name === "failed" ? `failed: ${job.error}` : job.runDirectory ? `results in ${job.runDirectory} on the coordinator` : "";
  const progress = series.progress.map(([x, y]) => [number(x), number(y)]);
  if (series.kind === "dqn") {
    drawChart($("chart-progress"), $("chart-progress-caption"), "Training episodes' mean return (last 100)", {
      series: [{ name: "mean return", points: progress }], xLabel: "environment steps", yLabel: "return",
    });
    $("figure-accuracy").hidden = true;
    return;
  }
  $("figure-accuracy").hidden = false;
  const epochs = series.epochs;
  const perEpoch = series.stepsPerEpoch || 1;
  drawChart($("chart-progress"), $("chart-progress-caption"), "Loss", {
    series: [
      { name: "training loss (mean so far in the epoch)", points: progress },
      { name: "test loss (end of epoch)", points: epochs.map((e) => [e.epoch * perEpoch, number(e.testLoss)]), markers: true },
    ],
    xLabel: "step", yLabel: "loss",
  });
  drawChart($("chart-accuracy"), $("chart-accuracy-caption"), "Test accuracy per epoch", {
    series: [{ name: "test accuracy", points: epochs.map((e) => [e.epoch, number(e.testAccuracy)]), markers: true }],
    xLabel: "epoch", yLabel: "accuracy", yMax: 1, wholeX: true,
  });
}

// ---- the loop --------------------------------------------------------------------------------------------------------

function showLogin(message) {
  $("main").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = state.token ? message : "";
  $("updated").textContent = "";
  $("token").focus();
}

async function refresh() {
  clearTimeout(state.timer);
  try {
    const [status, jobs] = await Promise.all([api("/cluster"), api("/jobs")]);
    const job = chooseSelected(jobs.jobs);
    const series = job ? await api(`/jobs/${encodeURIComponent(job.jobId)}/series`) : null;
    renderCluster(status);
    renderJobs(jobs.jobs, series);
    renderDetail(job, series);
    for (const id of state.cancelling) {
      if (!jobs.jobs.some((j) => j.jobId === id && ["queued", "running"].includes(stateName(j)))) state.cancelling.delete(id);
    }
    $("login").hidden = true;
    $("main").hidden = false;
    $("error").textContent = "";
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (error) {
    if (error instanceof Unauthorized) {
      showLogin(error.message);
      return; // polling resumes when a token is entered
    }
    $("error").textContent = `the coordinator did not answer: ${error.message}`;
  }
  state.timer = setTimeout(refresh, REFRESH_MS);
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.token = $("token").value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  refresh();
});

takeTokenFromAddress();
refresh();
