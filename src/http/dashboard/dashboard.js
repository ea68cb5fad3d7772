// The glisk dashboard: reads the JSON endpoints every 5 s and draws them; no libraries.
// Two views in one page, chosen by the URL's hash: the overview ("#/", with the token list's
// search and filters as "#/?q=…&status=…&stage=…&before=…") and a token's page ("#/tokens/42").
// Admin actions ask for the admin token once per tab (kept in sessionStorage) and call
// POST /api/admin/…. Everything shown is inserted as text, never as HTML: the API carries outside
// input (prompts, providers' errors, metadata).
"use strict";

const REFRESH_MS = 5000;
const STATUSES = ["detected", "generating", "uploading", "ready", "revealed", "failed"];  // pipeline order
const SERIES = [["generating", "#8a5300"], ["uploading", "#7b3fb5"], ["ready", "#0b5cb8"], ["revealed", "#1a7f37"],
                ["failed", "#b71c1c"]];
const TOKENS_PER_PAGE = 24;
const FAILURES_PER_PAGE = 20;
const REVEALS_PER_PAGE = 10;
let config = { image_gateway: "/ipfs/", explorer_url: null, admin_api: false, queue_controls: false };
const selectedFailures = new Set();
let failuresBefore = null;
let revealsBefore = null;
let pendingRetry = null;  // the selection a dry run counted, waiting for the operator's go

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(path + ": " + (body.error || res.status));
  return body;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return seconds.toFixed(0) + " s";
  if (seconds < 5400) return (seconds / 60).toFixed(0) + " min";
  return (seconds / 3600).toFixed(1) + " h";
}

function text(v) { return v === null || v === undefined ? "—" : String(v); }

// Links are built only from values of the shape they should have, so no API value can become a
// javascript: URL or point somewhere else.
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const CID = /^[A-Za-z0-9]{8,128}$/;
function txLink(hash) {
  if (!hash) return document.createTextNode("—");
  if (!config.explorer_url || !TX_HASH.test(hash)) return el("span", { class: "hash", text: hash });
  return el("a", { href: config.explorer_url + "/tx/" + hash, target: "_blank", rel: "noopener", text: hash });
}
function cidLink(cid) {
  if (!cid) return document.createTextNode("—");
  if (!CID.test(cid)) return el("span", { text: cid });
  return el("a", { href: config.image_gateway + cid, target: "_blank", rel: "noopener", text: cid });
}
function tokenLink(id, label) {
  return el("a", { href: "#/tokens/" + Number(id), text: label || "#" + id });
}

// wei (decimal text) as ETH, to 6 significant digits; BigInt because fees pass 2^53 wei.
function eth(wei) {
  if (wei === null || wei === undefined) return "—";
  const w = BigInt(wei);
  const whole = w / 10n ** 18n;
  const frac = (w % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  let digits = frac;
  if (whole === 0n) {
    const lead = frac.length - frac.replace(/^0+/, "").length;
    digits = frac.slice(0, lead + 6);
  } else {
    digits = frac.slice(0, 6);
  }
  return whole.toString() + (digits ? "." + digits : "") + " ETH";
}
function fee(gas, priceWei) {
  if (gas === null || gas === undefined || !priceWei) return null;
  return (BigInt(gas) * BigInt(priceWei)).toString();
}

// ---- admin API ----

async function admin(path, body, what) {
  let token = sessionStorage.getItem("glisk-admin-token");
  if (!token) {
    token = window.prompt("Admin token (ADMIN_TOKEN) to " + what);
    if (!token) return null;
  }
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (res.ok) {
    sessionStorage.setItem("glisk-admin-token", token);
  } else if (res.status === 401) {
    sessionStorage.removeItem("glisk-admin-token");
  }
  return { ok: res.ok, status: res.status, body: answer };
}

async function retry(tokenId) {
  const result = document.getElementById("retry-result");
  const r = await admin("/api/admin/retry", { token_ids: [tokenId] }, "retry token " + tokenId);
  if (!r) return;
  result.textContent = r.ok ? `retried ${r.body.count} token(s): #${tokenId}`
                            : `retry of #${tokenId} refused (${r.status}): ${r.body.error}`;
  refresh();
}

// Bulk retry: a dry run first says how many tokens would move; nothing changes until "Retry them".
async function planRetry(selection, label) {
  const result = document.getElementById("retry-result");
  const r = await admin("/api/admin/retry", Object.assign({ dry_run: true }, selection), "retry " + label);
  if (!r) return;
  if (!r.ok) {
    result.textContent = `retry of ${label} refused (${r.status}): ${r.body.error}`;
    return;
  }
  pendingRetry = { selection, label };
  const ids = r.body.tokens.map((t) => "#" + t.token_id);
  document.getElementById("retry-plan").textContent =
      `${r.body.count} token(s) would be retried (${label})` + (ids.length ? ": " + ids.slice(0, 20).join(" ") : "") +
      (ids.length > 20 ? " …" : "") + (r.body.skipped.length ? `; ${r.body.skipped.length} not failed, left alone` : "");
  document.getElementById("retry-go").disabled = r.body.count === 0;
  document.getElementById("retry-confirm").hidden = false;
  result.textContent = "";
}

async function runPlannedRetry() {
  const plan = pendingRetry;
  pendingRetry = null;
  document.getElementById("retry-confirm").hidden = true;
  if (!plan) return;
  const r = await admin("/api/admin/retry", plan.selection, "retry " + plan.label);
  if (!r) return;
  document.getElementById("retry-result").textContent =
      r.ok ? `retried ${r.body.count} token(s) (${plan.label})` : `retry of ${plan.label} refused (${r.status}): ${r.body.error}`;
  selectedFailures.clear();
  refresh();
}

// The queue controls of the admin API (pause/resume and cancel, retry of tokens waiting in
// backoff): offered only when the server says it has them ("queue_controls" in
// /api/dashboard/config). `action` is "retry-now" or "cancel".
async function queueControl(action, tokenId) {
  const out = document.getElementById("token-action-result");
  let r;
  if (action === "retry-now") {
    r = await admin("/api/admin/retry", { token_ids: [tokenId], now: true }, "retry token " + tokenId + " now");
  } else if (action === "cancel") {
    const reason = window.prompt("Why cancel token " + tokenId + "? (kept in its history)");
    if (!reason) return;
    r = await admin("/api/admin/cancel", { token_ids: [tokenId], reason }, "cancel token " + tokenId);
  } else {
    throw new Error("unknown queue control " + action);
  }
  if (!r) return;
  const done = action === "retry-now" ? `${r.body.made_due.length} made due now` : `${r.body.count} token(s) cancelled`;
  out.textContent = r.ok ? `${action}: ${done}` : `${action} refused (${r.status}): ${r.body.error}`;
  refresh();
}

// ---- overview ----

function drawStatuses(stats) {
  const box = document.getElementById("statuses");
  box.replaceChildren();
  const names = STATUSES.concat(Object.keys(stats.tokens).filter((s) => !STATUSES.includes(s)));
  for (const status of names) {
    const n = stats.tokens[status] || 0;
    box.append(el("div", { class: "card status-" + status, "data-status": status },
                  el("span", { class: "n", text: String(n) }),
                  el("a", { href: "#/?status=" + encodeURIComponent(status), text: status })));
  }
  box.append(el("div", { class: "card", "data-status": "total" }, el("span", { class: "n", text: String(stats.total) }), "total"));
}

function drawQueues(stats) {
  const body = document.querySelector("#queues tbody");
  body.replaceChildren();
  const controls = config.admin_api && config.queue_controls === true;
  for (const [stage, q] of Object.entries(stats.queues)) {
    // Pause or resume the stage on every instance (an operator's pause, kept in the database).
    const condition = (stats.stages || {})[stage];
    const paused = typeof condition === "object" && condition !== null && condition.operator_pause;
    const button = el("button", { type: "button", "data-stage-control": paused ? "resume" : "pause", "data-stage": stage,
                                  text: paused ? "resume " + stage : "pause " + stage });
    button.hidden = !controls;
    button.addEventListener("click", () => stageControl(paused ? "resume" : "pause", stage));
    body.append(el("tr", { "data-stage": stage }, el("td", { text: stage }), el("td", { class: "depth", text: String(q.depth) }),
                   el("td", { text: String(q.due) }), el("td", { text: String(q.in_flight) }),
                   el("td", { text: age(q.oldest_due_age_seconds) }), el("td", {}, button)));
  }
}

// POST /api/admin/pause (asking why: the reason is shown wherever the pause is) or /resume.
async function stageControl(action, stage) {
  const out = document.getElementById("stage-control-result");
  let r;
  if (action === "pause") {
    const reason = window.prompt("Why pause the " + stage + " stage? (shown with the pause)");
    if (!reason) return;
    r = await admin("/api/admin/pause", { stage, reason }, "pause " + stage);
  } else {
    r = await admin("/api/admin/resume", { stage }, "resume " + stage);
  }
  if (!r) return;
  out.textContent = r.ok ? `${stage} ${action === "pause" ? "paused" : "resumed"} on every instance`
                         : `${action} of ${stage} refused (${r.status}): ${r.body.error}`;
  refresh();
}

// A stage that does not run, above everything: paused by an operator ("operator_pause": {by,
// at, reason}), or held by a provider's outage or refusal (its breaker, on this or another instance),
// with the reason (which names what to do) and since when.
function drawPaused(stats) {
  const banner = document.getElementById("paused");
  banner.replaceChildren();
  for (const [stage, condition] of Object.entries(stats.stages || {})) {
    if (typeof condition !== "object" || condition === null) continue;
    const p = condition.operator_pause;
    if (typeof p === "object" && p !== null) {
      banner.append(el("p", { "data-paused-stage": stage, "data-cause": "operator" },
                       el("strong", { text: stage + " paused by " + text(p.by) }),
                       ": " + text(p.reason) + " — since " + text(p.at)));
    }
    for (const r of condition.instances || []) {
      banner.append(el("p", { "data-paused-stage": stage, "data-cause": "breaker" },
                       el("strong", { text: stage + " paused" }),
                       ": " + r.reason + " — since " + r.since + ", next probe " + r.next_probe + " (" + r.instance + ")"));
    }
  }
  banner.hidden = banner.childElementCount === 0;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function clockTime(iso) {
  const d = new Date(iso);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

// Tokens (not moves) per minute by the status they reached, with minutes on the x axis.
function drawThroughput(data) {
  const minutes = data.minutes;
  const count = (m, s) => (m.tokens || m.moved_to)[s] || 0;
  const width = 720, height = 190, left = 36, bottom = 34, top = 10, right = 10;
  let max = 1;
  for (const m of minutes) for (const [s] of SERIES) max = Math.max(max, count(m, s));
  const total = {};
  for (const m of minutes) for (const [s] of SERIES) total[s] = (total[s] || 0) + count(m, s);
  const summary = SERIES.map(([s]) => `${s} ${total[s]}`).join(", ");
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
                             "aria-label": "tokens per minute over the last hour: " + summary });
  const x = (i) => left + (i * (width - left - right)) / Math.max(1, minutes.length - 1);
  const y = (v) => height - bottom - (v * (height - bottom - top)) / max;
  for (const v of [0, Math.round(max / 2), max]) {
    svg.append(svgEl("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    const t = svgEl("text", { x: left - 4, y: y(v) + 3, "text-anchor": "end" });
    t.textContent = String(v);
    svg.append(t);
  }
  // A tick and the local time every 10 minutes, and at the last minute.
  minutes.forEach((m, i) => {
    if (i % 10 !== 0 && i !== minutes.length - 1) return;
    svg.append(svgEl("line", { class: "grid", x1: x(i), x2: x(i), y1: top, y2: height - bottom }));
    const t = svgEl("text", { x: x(i), y: height - bottom + 13, "text-anchor": "middle", "data-minute": m.minute });
    t.textContent = clockTime(m.minute);
    svg.append(t);
  });
  const xTitle = svgEl("text", { x: (left + width) / 2, y: height - 4, "text-anchor": "middle" });
  xTitle.textContent = "time (minutes, local)";
  const yTitle = svgEl("text", { x: 0, y: top - 2 });
  yTitle.textContent = "tokens/min";
  svg.append(xTitle, yTitle);
  for (const [status, colour] of SERIES) {
    svg.append(svgEl("polyline", {
      fill: "none", stroke: colour, "stroke-width": "2", "data-series": status,
      points: minutes.map((m, i) => `${x(i).toFixed(1)},${y(count(m, status)).toFixed(1)}`).join(" ") }));
  }
  const legend = el("div", { class: "legend" });
  for (const [status, colour] of SERIES) {
    const item = el("span", { "data-total": status, text: `${status}: ${total[status]} in the hour` });
    item.style.color = colour;
    legend.append(item);
  }
  document.getElementById("throughput").replaceChildren(svg, legend);
}

// The token list's query, from the hash "#/?q=…&status=…&stage=…&limit=…&before=…" (the API
// checks each value; a bad one is said beside the list).
function listQuery() {
  const hash = location.hash.startsWith("#/?") ? location.hash.slice(3) : "";
  const q = new URLSearchParams(hash);
  const out = {};
  for (const k of ["q", "status", "stage", "limit", "before"]) if (q.get(k)) out[k] = q.get(k);
  return out;
}

function setListQuery(query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const hash = "#/" + (q.toString() ? "?" + q.toString() : "");
  if (location.hash !== hash) location.hash = hash; else refresh();
}

function thumbnail(t) {
  const picture = t.image_cid && CID.test(t.image_cid)
      ? el("img", { src: config.image_gateway + t.image_cid, alt: "token " + t.token_id, loading: "lazy" })
      : el("div", { class: "noimage", role: "img", "aria-label": "token " + t.token_id + ": no image yet" });
  const link = el("a", { href: "#/tokens/" + Number(t.token_id), "data-token-link": String(t.token_id) }, picture);
  return el("div", { class: "token", "data-token": String(t.token_id) }, link,
            el("div", {}, tokenLink(t.token_id), " ", el("span", { class: "status-" + t.status, text: t.status })));
}

function drawTokens(page, query) {
  const box = document.getElementById("tokens");
  box.replaceChildren(...page.tokens.map(thumbnail));
  const filters = Object.entries(query).filter(([k]) => k !== "before" && k !== "limit").map(([k, v]) => `${k} ${v}`).join(", ");
  document.getElementById("tokens-summary").textContent =
      (page.tokens.length ? `${page.tokens.length} token(s)` : "no token") + (filters ? " matching " + filters : "") +
      (query.before ? ` below #${query.before}` : "") + ", highest id first";
  const next = document.getElementById("tokens-next");
  next.hidden = page.next_before === null;
  next.dataset.before = page.next_before === null ? "" : String(page.next_before);
  document.getElementById("tokens-first").hidden = !query.before;
}

function drawFailures(page) {
  const body = document.querySelector("#failures tbody");
  body.replaceChildren();
  for (const t of page.tokens) {
    const stage = t.failed_stage || "image";
    const attempts = { image: t.generation_attempts, ipfs: t.upload_attempts, reveal: t.reveal_attempts }[stage];
    const box = el("input", { type: "checkbox", class: "select", "data-token": String(t.token_id),
                              "aria-label": "select token " + t.token_id });
    box.checked = selectedFailures.has(t.token_id);
    box.addEventListener("change", () => {
      if (box.checked) selectedFailures.add(t.token_id); else selectedFailures.delete(t.token_id);
      updateBulkButtons();
    });
    const button = el("button", { type: "button", class: "retry", "data-token": String(t.token_id), text: "retry",
                                  "aria-label": "retry token " + t.token_id });
    button.addEventListener("click", () => retry(t.token_id));
    body.append(el("tr", { "data-token": String(t.token_id) }, el("td", {}, box), el("td", {}, tokenLink(t.token_id)),
                   el("td", { text: stage }), el("td", { text: String(attempts) }),
                   el("td", { class: "error", text: text(t.error) }), el("td", { text: t.updated_at }), el("td", {}, button)));
  }
  const next = document.getElementById("failures-next");
  next.hidden = page.next_before === null;
  next.dataset.before = page.next_before === null ? "" : String(page.next_before);
  document.getElementById("failures-first").hidden = failuresBefore === null;
  updateBulkButtons();
}

function updateBulkButtons() {
  const button = document.getElementById("retry-selected");
  button.disabled = selectedFailures.size === 0;
  button.textContent = selectedFailures.size ? `Retry selected (${selectedFailures.size})` : "Retry selected";
}

function drawReveals(reveals) {
  const body = document.querySelector("#reveals tbody");
  body.replaceChildren();
  for (const r of reveals) {
    const paid = fee(r.gas_used, r.effective_gas_price_wei);
    const perToken = fee(r.gas_per_token, r.effective_gas_price_wei);
    body.append(el("tr", { "data-reveal": String(r.id) }, el("td", { class: "hash" }, r.tx_hash ? txLink(r.tx_hash) : "(not sent)"),
                   el("td", { class: "status-" + r.status, text: r.status }),
                   el("td", { text: String(r.tokens) }), el("td", { text: text(r.block_number) }),
                   el("td", { text: text(r.gas_used) }), el("td", { class: "gas-per-token", text: text(r.gas_per_token) }),
                   el("td", { class: "fee", text: paid === null ? "—" : eth(paid) }),
                   el("td", { class: "fee-per-token", text: perToken === null ? "—" : eth(perToken) }),
                   el("td", { class: "error", text: r.error || "" }),
                   el("td", { text: r.created_at })));
  }
  const next = document.getElementById("reveals-next");
  next.hidden = reveals.length < REVEALS_PER_PAGE;
  next.dataset.before = reveals.length ? String(reveals[reveals.length - 1].id) : "";
  document.getElementById("reveals-first").hidden = revealsBefore === null;
}

async function refreshOverview() {
  const query = listQuery();
  const tokensUrl = "/api/tokens?" + new URLSearchParams(Object.assign({ limit: TOKENS_PER_PAGE }, query));
  const failuresUrl = "/api/tokens?" + new URLSearchParams(Object.assign(
      { status: "failed", limit: FAILURES_PER_PAGE }, failuresBefore === null ? {} : { before: failuresBefore }));
  const revealsUrl = "/api/reveals?" + new URLSearchParams(Object.assign(
      { limit: REVEALS_PER_PAGE }, revealsBefore === null ? {} : { before: revealsBefore }));
  const [stats, throughput, failures, reveals] = await Promise.all([
    getJson("/api/stats"), getJson("/api/throughput"), getJson(failuresUrl), getJson(revealsUrl)]);
  drawStatuses(stats);
  drawQueues(stats);
  drawPaused(stats);
  drawThroughput(throughput);
  drawFailures(failures);
  drawReveals(reveals);
  // A bad search (a typo in a hash) is said beside the list; the rest of the page still shows.
  try {
    drawTokens(await getJson(tokensUrl), query);
  } catch (e) {
    document.getElementById("tokens").replaceChildren();
    document.getElementById("tokens-summary").textContent = String(e.message || e);
  }
}

// ---- token page ----

function dl(id, rows) {
  const box = document.getElementById(id);
  box.replaceChildren();
  for (const [term, value] of rows) {
    box.append(el("dt", { text: term }), el("dd", { "data-field": term }, typeof value === "object" && value !== null ? value : text(value)));
  }
}

async function refreshToken(id) {
  const [detail, history, stats] = await Promise.all([
    getJson("/api/tokens/" + id + "/detail"), getJson("/api/tokens/" + id + "/events"), getJson("/api/stats")]);
  drawPaused(stats);
  const t = detail.token;
  const title = document.getElementById("token-title");
  title.replaceChildren("Token #" + t.token_id + " ", el("span", { class: "status-" + t.status, text: t.status }));
  document.title = "glisk token #" + t.token_id;

  const picture = document.getElementById("token-image");
  picture.replaceChildren(t.image_cid && CID.test(t.image_cid)
      ? el("img", { src: config.image_gateway + t.image_cid, alt: "image of token " + t.token_id })
      : el("p", { class: "muted", text: "no image pinned yet" }));

  const m = detail.metadata;
  const metadataLink = t.metadata_cid ? cidLink(t.metadata_cid) : "—";
  dl("token-metadata", [
    ["name", m ? m.name : (t.metadata_cid ? "(at the gateway: open the metadata CID)" : "not pinned yet")],
    ["description", m ? m.description : null],
    ["image CID", cidLink(t.image_cid)],
    ["metadata CID", metadataLink],
    ["token URI", t.metadata_uri],
    ["author", detail.author_wallet
        ? el("a", { href: "#/?q=" + encodeURIComponent(detail.author_wallet), text: detail.author_wallet }) : null],
    ["minter", t.minter_address],
    ["mint transaction", detail.mint ? txLink(detail.mint.tx_hash) : null],
  ]);
  const attributes = document.getElementById("token-attributes");
  const rows = m && Array.isArray(m.attributes) ? m.attributes : [];
  attributes.querySelector("tbody").replaceChildren(...rows.map((a) =>
      el("tr", {}, el("td", { text: text(a && a.trait_type) }), el("td", { text: text(a && a.value) }))));
  attributes.hidden = rows.length === 0;

  dl("token-state", [
    ["status", t.status],
    ["error", t.error],
    ["failed stage", t.failed_stage],
    ["attempts", `image ${t.generation_attempts}, ipfs ${t.upload_attempts}, reveal ${t.reveal_attempts}`],
    ["next attempt", t.next_attempt_at],
    ["leased until", t.leased_until],
    ["created", t.created_at],
    ["updated", t.updated_at],
  ]);

  const p = detail.prediction;
  const d = p.delivery;
  dl("token-predictions", [
    ["predictions paid", p.created],
    ["current prediction", p.id],
    ["prompt refused", p.prompt_refused_at],
    ["webhook said", d ? `${text(d.status)}${d.predict_time_seconds !== null ? `, ${d.predict_time_seconds} s to predict` : ""}` : null],
    ["prediction error", d ? d.error : null],
  ]);

  const r = detail.reveal;
  dl("token-reveal", [
    ["transaction", txLink(t.reveal_tx_hash)],
    ["status", r ? r.status : null],
    ["block", r ? r.block_number : null],
    ["tokens in it", r ? r.tokens : null],
    ["gas per token", r ? r.gas_per_token : null],
    ["fee per token", r && fee(r.gas_per_token, r.effective_gas_price_wei) ? eth(fee(r.gas_per_token, r.effective_gas_price_wei)) : null],
    ["error", r ? r.error : null],
  ]);

  const body = document.querySelector("#token-history tbody");
  body.replaceChildren(...history.events.map((e) => el("tr", {},
      el("td", { text: e.at }), el("td", { text: (e.from || "(created)") + " → " + e.to }), el("td", { text: text(e.stage) }),
      el("td", { text: text(e.attempt) }), el("td", { text: text(e.instance) }), el("td", { class: "error", text: e.error || "" }),
      el("td", { class: "hash" }, e.tx_hash ? txLink(e.tx_hash) : ""))));

  const retryButton = document.getElementById("token-retry");
  retryButton.hidden = !(config.admin_api && t.status === "failed");
  retryButton.dataset.token = String(t.token_id);
  // Cancel: anything not revealed and not cancelled already. Retry now: a token waiting out a
  // backoff at a stage's input (the server leaves any other alone, and says so).
  const waiting = ["detected", "uploading", "ready"].includes(t.status) && !t.cancelled_at &&
                  t.next_attempt_at && new Date(t.next_attempt_at) > new Date();
  for (const b of document.querySelectorAll("[data-queue-control]")) {
    const useful = b.dataset.queueControl === "cancel" ? t.status !== "revealed" && !t.cancelled_at : waiting;
    b.hidden = !(config.admin_api && config.queue_controls === true && useful);
    b.dataset.token = String(t.token_id);
  }
}

// ---- routing and refresh ----

function route() {
  const m = /^#\/tokens\/(\d{1,19})$/.exec(location.hash);
  return m ? { view: "token", id: m[1] } : { view: "overview" };
}

async function refresh() {
  const problem = document.getElementById("problem");
  const r = route();
  document.getElementById("overview").hidden = r.view !== "overview";
  document.getElementById("token-page").hidden = r.view !== "token";
  try {
    if (r.view === "token") await refreshToken(r.id); else await refreshOverview();
    problem.hidden = true;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.view = r.view;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  } catch (e) {
    problem.hidden = false;
    problem.textContent = String(e.message || e);
  }
}

function wire() {
  const form = document.getElementById("search");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    setListQuery({ q: document.getElementById("search-q").value.trim(), status: document.getElementById("search-status").value,
                   stage: document.getElementById("search-stage").value, limit: listQuery().limit });
  });
  document.getElementById("tokens-next").addEventListener("click", (e) =>
      setListQuery(Object.assign(listQuery(), { before: e.target.dataset.before })));
  document.getElementById("tokens-first").addEventListener("click", () =>
      setListQuery(Object.assign(listQuery(), { before: "" })));
  document.getElementById("failures-next").addEventListener("click", (e) => {
    failuresBefore = e.target.dataset.before; refresh();
  });
  document.getElementById("failures-first").addEventListener("click", () => { failuresBefore = null; refresh(); });
  document.getElementById("reveals-next").addEventListener("click", (e) => {
    revealsBefore = e.target.dataset.before; refresh();
  });
  document.getElementById("reveals-first").addEventListener("click", () => { revealsBefore = null; refresh(); });
  document.getElementById("failures-all").addEventListener("change", (e) => {
    for (const box of document.querySelectorAll("#failures tbody input.select")) {
      box.checked = e.target.checked;
      const id = Number(box.dataset.token);
      if (box.checked) selectedFailures.add(id); else selectedFailures.delete(id);
    }
    updateBulkButtons();
  });
  document.getElementById("retry-selected").addEventListener("click", () => {
    const ids = Array.from(selectedFailures).sort((a, b) => a - b);
    planRetry({ token_ids: ids }, ids.length + " selected");
  });
  document.getElementById("retry-all").addEventListener("click", () => {
    const stage = document.getElementById("retry-stage").value;
    planRetry(stage ? { failed: true, stage } : { failed: true }, "every failed token" + (stage ? " of stage " + stage : ""));
  });
  document.getElementById("retry-go").addEventListener("click", runPlannedRetry);
  document.getElementById("retry-cancel").addEventListener("click", () => {
    pendingRetry = null;
    document.getElementById("retry-confirm").hidden = true;
  });
  document.getElementById("token-retry").addEventListener("click", async (e) => {
    const id = Number(e.target.dataset.token);
    const r = await admin("/api/admin/retry", { token_ids: [id] }, "retry token " + id);
    if (!r) return;
    document.getElementById("token-action-result").textContent =
        r.ok ? `retried ${r.body.count} token(s): #${id}` : `retry of #${id} refused (${r.status}): ${r.body.error}`;
    refresh();
  });
  for (const b of document.querySelectorAll("[data-queue-control]")) {
    b.addEventListener("click", () => queueControl(b.dataset.queueControl, Number(b.dataset.token)));
  }
  window.addEventListener("hashchange", () => {
    const q = listQuery();
    document.getElementById("search-q").value = q.q || "";
    document.getElementById("search-status").value = q.status || "";
    document.getElementById("search-stage").value = q.stage || "";
    window.scrollTo(0, 0);
    refresh();
  });
}

async function start() {
  wire();
  try {
    config = Object.assign(config, await getJson("/api/dashboard/config"));
  } catch (e) {
    // the defaults show images from this service's /ipfs/ and no explorer links
  }
  const q = listQuery();
  document.getElementById("search-q").value = q.q || "";
  document.getElementById("search-status").value = q.status || "";
  document.getElementById("search-stage").value = q.stage || "";
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

start();
