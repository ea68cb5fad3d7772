// The glisk dashboard: reads the JSON endpoints every 5 s and draws them; no libraries.
// The retry button asks for the admin token once per tab (kept in sessionStorage) and calls
// POST /api/admin/retry. Everything shown is inserted as text, never as HTML.
"use strict";

const REFRESH_MS = 5000;
const SERIES = [["revealed", "#1a7f37"], ["uploading", "#7b3fb5"], ["ready", "#0b62c4"], ["failed", "#c62828"]];
let config = { image_gateway: "/ipfs/", explorer_url: null, admin_api: false };

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

function drawStatuses(stats) {
  const box = document.getElementById("statuses");
  box.replaceChildren();
  for (const [status, n] of Object.entries(stats.tokens)) {
    box.append(el("div", { class: "card status-" + status, "data-status": status },
                  el("span", { class: "n", text: String(n) }), status));
  }
  box.append(el("div", { class: "card", "data-status": "total" }, el("span", { class: "n", text: String(stats.total) }), "total"));
}

function drawQueues(stats) {
  const body = document.querySelector("#queues tbody");
  body.replaceChildren();
  for (const [stage, q] of Object.entries(stats.queues)) {
    body.append(el("tr", { "data-stage": stage }, el("td", { text: stage }), el("td", { class: "depth", text: String(q.depth) }),
                   el("td", { text: String(q.due) }), el("td", { text: String(q.in_flight) }),
                   el("td", { text: age(q.oldest_due_age_seconds) })));
  }
}

// A stage paused on any instance (a provider's outage or rate limit): a banner above everything,
// with the reason (which names what to do) and when the stage tries again.
function drawPaused(stats) {
  const banner = document.getElementById("paused");
  banner.replaceChildren();
  for (const [stage, condition] of Object.entries(stats.stages || {})) {
    if (typeof condition !== "object" || condition === null) continue;
    for (const r of condition.instances || []) {
      banner.append(el("p", { "data-paused-stage": stage },
                       el("strong", { text: stage + " paused" }),
                       ": " + r.reason + " — since " + r.since + ", next probe " + r.next_probe + " (" + r.instance + ")"));
    }
  }
  banner.hidden = banner.childElementCount === 0;
}

function drawThroughput(data) {
  const minutes = data.minutes;
  const width = 720, height = 160, left = 30, bottom = 18;
  let max = 1;
  for (const m of minutes) for (const [s] of SERIES) max = Math.max(max, m.moved_to[s] || 0);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("role", "img");
  const x = (i) => left + (i * (width - left - 5)) / Math.max(1, minutes.length - 1);
  const y = (v) => height - bottom - (v * (height - bottom - 10)) / max;
  for (const v of [0, max]) {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", 2); t.setAttribute("y", y(v) + 3); t.textContent = String(v);
    svg.append(t);
  }
  for (const [status, colour] of SERIES) {
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", "2");
    line.setAttribute("data-series", status);
    line.setAttribute("points", minutes.map((m, i) => `${x(i).toFixed(1)},${y(m.moved_to[status] || 0).toFixed(1)}`).join(" "));
    svg.append(line);
  }
  const total = {};
  for (const m of minutes) for (const [s] of SERIES) total[s] = (total[s] || 0) + (m.moved_to[s] || 0);
  const legend = el("div", { class: "legend" });
  for (const [status, colour] of SERIES) {
    const item = el("span", { "data-total": status, text: `${status}: ${total[status]} in the hour` });
    item.style.color = colour;
    legend.append(item);
  }
  document.getElementById("throughput").replaceChildren(svg, legend);
}

function drawTokens(tokens) {
  const box = document.getElementById("tokens");
  box.replaceChildren();
  for (const t of tokens) {
    const picture = t.image_cid ? el("img", { src: config.image_gateway + t.image_cid, alt: "token " + t.token_id, loading: "lazy" })
                                : el("div", { class: "noimage" });
    box.append(el("div", { class: "token", "data-token": String(t.token_id) }, picture,
                  el("div", { text: "#" + t.token_id + " " }, el("span", { class: "status-" + t.status, text: t.status }))));
  }
}

async function retry(tokenId) {
  let token = sessionStorage.getItem("glisk-admin-token");
  if (!token) {
    token = window.prompt("Admin token (ADMIN_TOKEN) to retry token " + tokenId);
    if (!token) return;
  }
  const result = document.getElementById("retry-result");
  const res = await fetch("/api/admin/retry", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
    body: JSON.stringify({ token_ids: [tokenId] }),
  });
  const body = await res.json();
  if (res.ok) {
    sessionStorage.setItem("glisk-admin-token", token);
    result.textContent = `retried ${body.count} token(s): #${tokenId}`;
  } else {
    if (res.status === 401) sessionStorage.removeItem("glisk-admin-token");
    result.textContent = `retry of #${tokenId} refused (${res.status}): ${body.error}`;
  }
  refresh();
}

function drawFailures(failures) {
  const body = document.querySelector("#failures tbody");
  body.replaceChildren();
  for (const f of failures) {
    const button = el("button", { class: "retry", "data-token": String(f.token_id), text: "retry" });
    button.addEventListener("click", () => retry(f.token_id));
    body.append(el("tr", { "data-token": String(f.token_id) }, el("td", { text: "#" + f.token_id }),
                   el("td", { text: f.stage }), el("td", { text: String(f.attempts) }),
                   el("td", { class: "error", text: f.error }), el("td", { text: f.failed_at }), el("td", {}, button)));
  }
}

function drawReveals(reveals) {
  const body = document.querySelector("#reveals tbody");
  body.replaceChildren();
  for (const r of reveals) {
    let hash = document.createTextNode(r.tx_hash || "(not sent)");
    if (r.tx_hash && config.explorer_url) {
      hash = el("a", { href: config.explorer_url + "/tx/" + r.tx_hash, target: "_blank", rel: "noopener", text: r.tx_hash });
    }
    body.append(el("tr", { "data-reveal": String(r.id) }, el("td", {}, hash), el("td", { text: r.status }),
                   el("td", { text: String(r.tokens) }), el("td", { text: r.block_number === null ? "—" : String(r.block_number) }),
                   el("td", { text: r.gas_used === null ? "—" : String(r.gas_used) }),
                   el("td", { text: r.gas_per_token === null ? "—" : String(r.gas_per_token) }),
                   el("td", { text: r.created_at })));
  }
}

async function refresh() {
  const problem = document.getElementById("problem");
  try {
    const [stats, throughput, tokens, failures, reveals] = await Promise.all([
      getJson("/api/stats"), getJson("/api/throughput"), getJson("/api/tokens?recent=12"),
      getJson("/api/failures?limit=20"), getJson("/api/reveals?limit=10")]);
    drawStatuses(stats);
    drawQueues(stats);
    drawPaused(stats);
    drawThroughput(throughput);
    drawTokens(tokens);
    drawFailures(failures);
    drawReveals(reveals);
    problem.hidden = true;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  } catch (e) {
    problem.hidden = false;
    problem.textContent = String(e.message || e);
  }
}

async function start() {
  try {
    config = await getJson("/api/dashboard/config");
  } catch (e) {
    // the defaults show images from this service's /ipfs/ and no explorer links
  }
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

start();
