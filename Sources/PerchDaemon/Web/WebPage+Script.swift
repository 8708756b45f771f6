/// The live view's script (JavaScript), served inline in GET / (see WebPage.swift).
extension WebPage {
    static let script = #"""
"use strict";
const $ = id => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
const sleep = ms => new Promise(r => setTimeout(r, ms));
async function api(path) {
  const r = await fetch(path, {cache: "no-store", credentials: "same-origin"});
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}
const view = {status: null, models: [], rules: {}, camera: null, microphone: null, audioTotal: 0, online: false};
window.perchView = view;

function link(ok, text) {
  view.online = ok;
  $("linkdot").className = "dot " + (ok ? "ok" : "bad");
  $("linktext").textContent = text;
}
function duration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m " + (s % 60) + "s" : s + "s";
}
const two = n => String(n).padStart(2, "0");
const clock = ms => { const d = new Date(ms); return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()); };

// ---- status: header, sources, faults, camera and microphone choice ----
let lastInferences = null, lastStatusAt = 0;
function stateClass(s) { return s === "running" || s === "held" ? "ok" : s === "failed" ? "bad" : "warn"; }
const kindWords = {camera: "Camera", microphone: "Microphone", gpio: "GPIO chip"};
const componentWords = {source: "Source", gpio: "GPIO", model: "Model", reload: "Reload", log: "Logging", socket: "Socket", web: "Web"};
function renderStatus(s) {
  $("version").textContent = "v" + s.version;
  $("uptime").textContent = "up " + duration(s.uptime_seconds);
  const now = performance.now(), inf = s.counters.inferences;
  if (lastInferences != null && now > lastStatusAt) {
    const rate = (inf - lastInferences) * 1000 / (now - lastStatusAt);
    $("rate").textContent = rate.toFixed(1) + " inferences/s";
  }
  lastInferences = inf; lastStatusAt = now;
  const tbody = $("sources"); tbody.textContent = "";
  const dropsBy = {};  // a camera's frames the models skipped (they keep only the newest)
  for (const m of view.models) for (const input of m.inputs) {
    const counted = s.models.find(x => x.name === m.name);
    if (input.kind === "image" && counted) dropsBy[input.source] = (dropsBy[input.source] || 0) + counted.frames_dropped;
  }
  for (const src of s.sources) {
    const tr = el("tr"); tr.dataset.source = src.name; tr.dataset.state = src.state;
    const name = el("td"); name.append(el("div", null, src.name), el("div", "sub", (kindWords[src.kind] || src.kind) + " · " + src.device));
    const st = el("td"); const pill = el("span", "pill"); pill.append(el("span", "dot " + stateClass(src.state)), document.createTextNode(src.state)); st.append(pill);
    if (src.state !== "running" && src.last_error) st.append(el("div", "sub", src.last_error));
    const extra = [];
    if (src.reconnects) extra.push(src.reconnects + " reconnects");
    if (src.retries) extra.push(src.retries + " retries");
    if (extra.length) st.append(el("div", "sub", extra.join(", ")));
    const drops = src.kind === "camera" ? (dropsBy[src.name] ?? "–") : "–";
    tr.append(name, st, el("td", "n", String(src.frames)), el("td", "n", String(drops)), el("td", "n", src.kind === "microphone" ? String(src.xruns) : "–"));
    tbody.append(tr);
  }
  let totals = s.counters.frames + " frames, " + s.counters.drops + " dropped by the models (they keep the newest frame), " + s.counters.xruns + " audio overruns";
  $("totals").textContent = totals;
  const faults = $("faults"); faults.textContent = "";
  if (!s.faults.length) faults.append(el("li", "good", "No faults: every source and model is working."));
  for (const f of s.faults) {
    const li = el("li"); li.dataset.component = f.component;
    li.append(el("b", null, (componentWords[f.component] || f.component) + ": "), document.createTextNode(f.message));
    faults.append(li);
  }
  const cams = s.sources.filter(x => x.kind === "camera").map(x => x.name);
  const mics = s.sources.filter(x => x.kind === "microphone").map(x => x.name);
  picker("camera-pick", cams, view.camera, name => { view.camera = name; startCamera(); });
  if (!view.camera || !cams.includes(view.camera)) { view.camera = cams[0] || null; startCamera(); }
  if (!view.microphone || !mics.includes(view.microphone)) { view.microphone = mics[0] || null; view.audioTotal = 0; }
  $("audio-name").textContent = view.microphone || "none configured";
}
function picker(id, names, current, choose) {
  const host = $(id);
  if (names.length < 2) { host.textContent = names[0] || ""; return; }
  if (host.dataset.names === names.join("\n")) return;
  host.dataset.names = names.join("\n"); host.textContent = "";
  const sel = el("select"); for (const n of names) { const o = el("option", null, n); o.value = n; o.selected = n === current; sel.append(o); }
  sel.onchange = () => choose(sel.value); host.append(sel);
}

// ---- camera: the MJPEG stream with the crop drawn by perchd ----
let cameraRetry = null;
function startCamera() {
  const img = $("camera");
  clearTimeout(cameraRetry);
  $("camera-none").style.display = view.camera ? "none" : "flex";
  if (!view.camera) { img.removeAttribute("src"); return; }
  img.src = "/v1/stream?camera=" + encodeURIComponent(view.camera) + "&overlay=1&t=" + Date.now();
}
$("camera").onload = () => {
  const img = $("camera");
  $("camera-info").textContent = view.camera + " · " + img.naturalWidth + "×" + img.naturalHeight;
};
$("camera").onerror = () => { cameraRetry = setTimeout(startCamera, 1500); };

// ---- scores: one bar per label, with its rule's thresholds ----
function renderModels() {
  const host = $("models"); host.textContent = "";
  for (const m of view.models) {
    const box = el("div", "model"); box.dataset.model = m.name;
    const h = el("h3", null, m.name); const info = el("small", null, m.labels.length + " labels · " + m.rate + "/s");
    h.append(info); box.append(h);
    if (m.attribution.length) {
      const a = el("div", "attr"); a.dataset.attribution = "";
      m.attribution.forEach((n, i) => { const d = el("div", "a" + (i % 3), n); d.dataset.name = n; d.style.flexGrow = "1"; a.append(d); });
      box.append(el("div", "attrnote", "What the last inference relied on"), a);
    }
    for (const label of m.labels) {
      const row = el("div", "row"); row.dataset.label = label;
      const name = el("div", "name"); name.append(el("span", "dot"), el("span", null, label.replace(/_/g, " ")));
      const bar = el("div", "bar"); bar.append(el("div", "fill"));
      const rule = view.rules[m.name + "." + label];
      if (rule) {
        const on = el("div", "on"); on.style.left = (rule.on * 100) + "%"; on.title = "on at " + rule.on;
        const off = el("div", "off"); off.style.left = (rule.off * 100) + "%"; off.title = "off below " + rule.off;
        bar.append(off, on);
      }
      row.append(name, bar, el("div", "val", "–"));
      box.append(row);
    }
    host.append(box);
  }
}
function renderResults(results) {
  for (const r of results) {
    const box = document.querySelector('.model[data-model="' + CSS.escape(r.model) + '"]');
    if (!box) continue;
    box.dataset.inferences = r.inferences;
    for (const [label, score] of Object.entries(r.scores)) {
      const row = box.querySelector('.row[data-label="' + CSS.escape(label) + '"]');
      if (!row) continue;
      row.dataset.score = score;
      row.querySelector(".fill").style.width = Math.max(0, Math.min(100, score * 100)) + "%";
      row.querySelector(".val").textContent = score.toFixed(2);
      const rule = view.rules[r.model + "." + label];
      row.classList.toggle("active", !!(rule && rule.active));
    }
    if (r.attribution) {
      const total = Object.values(r.attribution).reduce((a, b) => a + Math.max(0, b), 0) || 1;
      for (const [name, v] of Object.entries(r.attribution)) {
        const d = box.querySelector('.attr [data-name="' + CSS.escape(name) + '"]');
        if (!d) continue;
        const share = Math.max(0, v) / total;
        d.style.flexGrow = String(Math.max(0.001, share));
        d.textContent = share > 0.12 ? name + " " + Math.round(share * 100) + "%" : "";
        d.title = name + ": " + Math.round(share * 100) + "%";
      }
    }
    $("scores-note").textContent = "inference " + r.inferences + (r.inference_us ? " · " + (r.inference_us / 1000).toFixed(1) + " ms" : "");
  }
}
async function loadModels() {
  const [models, rules] = await Promise.all([api("/v1/models"), api("/v1/rules")]);
  view.rules = {};
  for (const r of rules.rules) view.rules[r.model + "." + r.label] = r;
  const key = JSON.stringify(models.models.map(m => [m.name, m.labels, m.attribution]));
  if (key !== view.modelsKey) { view.models = models.models; view.modelsKey = key; renderModels(); }
}

// ---- audio: 40 feature bands as a scrolling spectrogram, and a level meter ----
const canvas = $("spectrogram"), ctx = canvas.getContext("2d");
const palette = [];
for (let i = 0; i < 256; i++) {
  const t = i / 255;  // dark blue -> violet -> orange -> pale yellow
  const stops = [[8, 10, 32], [72, 28, 120], [190, 55, 95], [250, 140, 40], [252, 240, 170]];
  const x = t * (stops.length - 1), k = Math.min(stops.length - 2, Math.floor(x)), f = x - k;
  palette.push(stops[k].map((c, j) => Math.round(c + (stops[k + 1][j] - c) * f)));
}
function drawFeatures(frames, bands) {
  if (!frames.length) return;
  const w = canvas.width, h = canvas.height, step = 2, n = frames.length * step;
  ctx.drawImage(canvas, -n, 0);
  const img = ctx.createImageData(n, h);
  frames.forEach((frame, fi) => {
    for (let y = 0; y < h; y++) {
      const band = bands - 1 - Math.floor(y * bands / h);  // low bands at the bottom
      const c = palette[Math.max(0, Math.min(255, frame[band] + 128))];
      for (let s = 0; s < step; s++) {
        const o = (y * n + fi * step + s) * 4;
        img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
      }
    }
  });
  ctx.putImageData(img, w - n, 0);
}
function renderLevel(rms, peak) {
  const pos = db => Math.max(0, Math.min(100, (db + 60) / 60 * 100));
  const width = pos(rms);
  $("rms").style.width = width + "%";
  $("rms").style.background = rms > -3 ? "var(--bad)" : rms > -12 ? "var(--warn)" : "var(--on)";
  $("peak").style.left = "calc(" + pos(peak) + "% - 1px)";
  $("level").textContent = rms <= -119 ? "silence" : rms.toFixed(0) + " dBFS (peak " + peak.toFixed(0) + ")";
}
async function pollAudio() {
  if (!view.microphone) return;
  const a = await api("/v1/audio?microphone=" + encodeURIComponent(view.microphone) + "&since=" + view.audioTotal);
  if (a.total < view.audioTotal) { view.audioTotal = 0; return; }  // a restart or reload began a new count
  view.audioTotal = a.total;
  drawFeatures(a.frames, a.bands);
  renderLevel(a.level_dbfs, a.peak_dbfs);
}

// ---- events: streamed from /v1/events, resumed with since; gaps and restarts shown ----
const ev = {lastSeq: null, instance: null, run: 0, seen: new Set(), count: 0, uptime: null, statusInstance: null};
window.perchEvents = ev;
function addRow(li) {
  const list = $("events");
  $("events-empty")?.remove();
  list.prepend(li);
  while (list.children.length > 300) list.lastChild.remove();
}
function marker(text, kind) {
  const li = el("li", "marker", text); li.dataset.marker = kind; addRow(li);
}
function showEvent(e) {
  const key = (e.instance || ("run" + ev.run)) + ":" + e.seq;
  if (ev.seen.has(key)) return;  // already shown (a replay overlapping what we had)
  ev.seen.add(key);
  ev.count++;
  const li = el("li"); li.dataset.seq = e.seq; li.dataset.key = key;
  const what = el("div", "what"); what.append(el("b", null, e.label.replace(/_/g, " ")), el("small", null, " · " + e.model));
  li.append(el("span", "t", clock(e.time_ms)), what, el("span", "badge " + e.state, e.state), el("span", "sc", e.score.toFixed(2)));
  addRow(li);
  $("events-note").textContent = ev.count + " shown";
}
function restarted(how) {
  ev.run++;
  marker("perchd restarted (" + how + "): events from the end of the previous run may be missing; continuing with the new run.", "restart");
}
function handleLine(obj) {
  if (obj.reset) {
    restarted("new instance " + String(obj.reset.instance).slice(0, 8));
    ev.instance = obj.reset.instance; ev.lastSeq = Math.max(0, obj.reset.first_seq - 1);
    return;
  }
  if (obj.gap) {
    marker("Gap: events " + obj.gap.from + "–" + obj.gap.to + " were no longer in perchd's buffer when this page caught up.", "gap");
    return;
  }
  if (obj.seq == null) return;
  if (obj.instance && ev.instance && obj.instance !== ev.instance) restarted("new instance " + obj.instance.slice(0, 8));
  else if (!obj.instance && ev.lastSeq != null && obj.seq <= ev.lastSeq) restarted("sequence numbers started again");
  if (obj.instance) ev.instance = obj.instance;
  ev.lastSeq = obj.seq;
  showEvent(obj);
}
// Before resuming, ask /v1/status whether this is still the same perchd: a new instance id,
// or an uptime that went backwards, means it restarted and `since` means nothing to it.
async function sameDaemon() {
  try {
    const s = await api("/v1/status");
    const prevUptime = ev.uptime, prevInstance = ev.statusInstance;
    ev.uptime = { value: s.uptime_seconds, at: performance.now() };
    ev.statusInstance = s.instance || null;
    if (prevInstance && s.instance && prevInstance !== s.instance) return false;
    if (prevUptime && s.uptime_seconds + 1 < prevUptime.value + (performance.now() - prevUptime.at) / 1000 - 2) return false;
    return true;
  } catch (e) { return null; }
}
async function followEvents() {
  let first = true;
  for (;;) {
    const same = await sameDaemon();
    if (same === false && ev.lastSeq != null) { restarted("seen in /v1/status"); ev.lastSeq = null; ev.instance = null; }
    let url = "/v1/events?since=" + (ev.lastSeq == null ? 0 : ev.lastSeq);
    if (ev.instance && ev.lastSeq != null) url += "&instance=" + encodeURIComponent(ev.instance);
    try {
      const r = await fetch(url, {cache: "no-store", credentials: "same-origin"});
      if (!r.ok) throw new Error("HTTP " + r.status);
      link(true, "live");
      // A multipart image keeps its last frame when its connection ends: restart it too.
      if (!first) { marker("Reconnected to perchd.", "reconnect"); startCamera(); }
      first = false;
      const reader = r.body.getReader(), decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, {stream: true});
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim(); buffer = buffer.slice(nl + 1);
          if (line) { try { handleLine(JSON.parse(line)); } catch (e) { /* a torn line: wait for the next */ } }
        }
      }
    } catch (e) { /* connection refused or dropped: retried below */ }
    link(false, "reconnecting…");
    first = false;
    await sleep(1000);
  }
}

// ---- polling loops: each independent, each survives errors ----
function every(ms, fn) {
  const tick = async () => { try { await fn(); } catch (e) { /* perchd away: the link pill says so */ } setTimeout(tick, ms); };
  tick();
}
every(1000, async () => { view.status = await api("/v1/status"); renderStatus(view.status); });
every(1000, async () => { await loadModels(); });
// 100 ms: a model at 4-10 inferences/s is never shown more than one inference late.
every(100, async () => { if (!view.models.length) return; renderResults((await api("/v1/results/latest")).results); });
every(200, pollAudio);
followEvents();
"""#
}
