// brandfit analyst page: reads candidates and a brand profile, calls POST /v1/rank,
// renders the ranking and one score card at a time. Plain DOM, no dependencies; every
// request goes to this server. User data is only ever set as textContent, never as HTML.
"use strict";

const EXAMPLES = "/static/ui/examples/";
const COMPONENTS = ["niche", "values", "safety", "brand_sentiment", "engagement", "audience"];
const METRICS = ["likes", "comments", "shares", "views"];
const KEY_STORE = "brandfit.apiKey";
let exampleBrand = null;
let lastRanking = [];

const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

// ---- input parsing ---------------------------------------------------------------

class InputError extends Error {}

function parseCsv(text) {
  // RFC 4180: quoted fields may hold commas, quotes ("") and newlines.
  const rows = [];
  let row = [], field = "", quoted = false, i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i += 1; continue; }
      field += c; i += 1; continue;
    }
    if (c === '"' && field === "") { quoted = true; i += 1; continue; }
    if (c === ",") { row.push(field); field = ""; i += 1; continue; }
    if (c === "\r" && text[i + 1] === "\n") { i += 1; continue; }
    if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; i += 1; continue; }
    field += c; i += 1;
  }
  if (quoted) throw new InputError("CSV: a quoted field is never closed");
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((v) => v.trim() !== ""));
}

function wholeNumber(value, where) {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InputError(`${where}: ${JSON.stringify(value)} is not a whole number ≥ 0`);
  return n;
}

function fromCsv(text, defaultHandle) {
  const rows = parseCsv(text);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const col = (name) => header.indexOf(name);
  if (col("text") < 0) throw new InputError(`CSV: no "text" column; columns are ${header.join(", ")}`);
  const handleCol = ["handle", "author", "creator"].map(col).find((i) => i >= 0);
  const creators = new Map();
  rows.slice(1).forEach((cells, n) => {
    const line = `CSV row ${n + 2}`;
    if (cells.length !== header.length) throw new InputError(`${line}: ${cells.length} fields, the header has ${header.length}`);
    const handle = (handleCol !== undefined && cells[handleCol].trim()) || defaultHandle;
    if (!creators.has(handle)) creators.set(handle, { handle, platform: "unknown", followers: 0, posts: [] });
    const creator = creators.get(handle);
    const post = { id: col("id") >= 0 && cells[col("id")].trim() ? cells[col("id")].trim() : `${handle}-${creator.posts.length + 1}`, text: cells[col("text")] };
    for (const metric of METRICS) {
      if (col(metric) >= 0) {
        const value = wholeNumber(cells[col(metric)], `${line}, ${metric}`);
        if (value !== null) post[metric] = value;
      }
    }
    if (col("followers") >= 0) {
      const followers = wholeNumber(cells[col("followers")], `${line}, followers`);
      if (followers !== null) creator.followers = Math.max(creator.followers, followers);
    }
    if (col("platform") >= 0 && cells[col("platform")].trim()) creator.platform = cells[col("platform")].trim();
    creator.posts.push(post);
  });
  return [...creators.values()];
}

function fromJson(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try { return JSON.parse(trimmed); } catch (e) { throw new InputError(`JSON: ${e.message}`); }
  }
  try {
    const whole = JSON.parse(trimmed);
    return Array.isArray(whole.influencers) ? whole.influencers : [whole];
  } catch (_) { /* not one object: JSONL */ }
  return text.split("\n").map((line, n) => [line, n]).filter(([line]) => line.trim()).map(([line, n]) => {
    try { return JSON.parse(line); } catch (e) { throw new InputError(`JSONL line ${n + 1}: ${e.message}`); }
  });
}

function fromPlain(text, handle, followers) {
  const posts = text.split("\n").map((t) => t.trim()).filter(Boolean).map((t, i) => ({ id: `${handle}-${i + 1}`, text: t }));
  return [{ handle, platform: "unknown", followers, posts }];
}

/** Creators from the candidates box: JSON/JSONL, CSV with a text column, or plain posts. */
function readCandidates() {
  const text = $("candidates").value;
  if (!text.trim()) throw new InputError("paste or upload candidates first (or load the example)");
  const handle = $("handle").value.trim() || "@creator";
  const first = text.trim().split("\n", 1)[0];
  if (first.startsWith("{") || first.startsWith("[")) return fromJson(text);
  const header = parseCsv(first)[0] || [];
  if (header.length > 1 && header.map((h) => h.trim().toLowerCase()).includes("text")) return fromCsv(text, handle);
  const followers = wholeNumber($("followers").value || "0", "followers") || 0;
  return fromPlain(text, handle, followers);
}

function readBrand() {
  try {
    return JSON.parse($("brand").value);
  } catch (e) {
    throw new InputError(`brand profile: not valid JSON (${e.message})`);
  }
}

// ---- API -------------------------------------------------------------------------

function describeError(status, body) {
  if (status === 401) return "this server needs an API key: enter it in the API key field";
  if (status === 403) return "this API key may not do that";
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    const items = detail.slice(0, 5).map((d) => `${(d.loc || []).join(" → ")}: ${d.msg}`);
    if (detail.length > 5) items.push(`… and ${detail.length - 5} more`);
    return `the server refused the request (${status}): ${items.join("; ")}`;
  }
  return `the server answered ${status}: ${detail || "no reason given"}`;
}

async function postJson(path, payload) {
  const headers = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(payload) });
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) throw new InputError(describeError(response.status, body));
  return body;
}

// ---- rendering -------------------------------------------------------------------

function percent(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`;
}

/** Short flags an analyst should look at: weak posts, disclosure problems, avoided content. */
function cardFlags(card) {
  const flags = [];
  for (const [flag, n] of Object.entries(card.coverage.weak_signal_flags || {})) flags.push(`${flag} ×${n}`);
  const counts = card.disclosure.counts || {};
  if (counts.likely_undisclosed) flags.push(`undisclosed ad? ×${counts.likely_undisclosed}`);
  if (counts.buried) flags.push(`buried disclosure ×${counts.buried}`);
  if (counts.ambiguous) flags.push(`ambiguous disclosure ×${counts.ambiguous}`);
  const flagged = (card.components.safety && card.components.safety.detail.flagged) || [];
  const avoided = flagged.filter((f) => f.avoided);
  if (avoided.length) flags.push(`avoided content ×${avoided.length}`);
  return flags;
}

function highlightTerms(terms) {
  // "[lex:neg+] worst" -> "worst"; "@user nike" -> "nike": markers are not in the text.
  const words = new Set();
  for (const term of terms) {
    const plain = term.split(/\s+/).filter((w) => w && !/^\[.*\]$/.test(w) && w !== "@user").join(" ");
    if (plain) words.add(plain);
  }
  if (!words.size) return null;
  const escaped = [...words].sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+"));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(${escaped.join("|")})(?![\\p{L}\\p{N}_])`, "giu");
}

function markedText(text, terms) {
  const span = el("span", null, "snippet");
  const pattern = highlightTerms(terms);
  if (!pattern) { span.textContent = text; return span; }
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    span.append(text.slice(last, match.index), el("mark", match[0]));
    last = match.index + match[0].length;
  }
  span.append(text.slice(last));
  return span;
}

function renderRanking(ranking) {
  const body = $("ranking").tBodies[0];
  body.replaceChildren();
  ranking.forEach((card, index) => {
    const row = el("tr");
    row.dataset.handle = card.handle;
    row.tabIndex = 0;
    row.append(el("td", card.rank), el("td", card.handle, "handle"), el("td", card.score.toFixed(1), "score"));
    for (const name of COMPONENTS) {
      const component = card.components[name];
      const cell = el("td", percent(component && component.value));
      if (component) cell.title = component.status;
      row.append(cell);
    }
    row.append(el("td", cardFlags(card).join(", "), "flags"));
    const open = () => showCard(index);
    row.addEventListener("click", open);
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    body.append(row);
  });
  $("results").hidden = false;
}

function componentTable(card) {
  const table = el("table", null, "components");
  const head = el("tr");
  ["component", "value", "weight", "status", "detail"].forEach((h) => head.append(el("th", h)));
  table.append(head);
  for (const [name, component] of Object.entries(card.components)) {
    const row = el("tr");
    const detail = Object.entries(component.detail || {})
      .filter(([, v]) => v === null || typeof v !== "object")
      .map(([k, v]) => `${k}: ${v}`).join(", ");
    row.append(el("td", name), el("td", percent(component.value)),
      el("td", card.weights[name] !== undefined ? card.weights[name].toFixed(2) : "–"),
      el("td", component.status), el("td", detail));
    table.append(row);
  }
  return table;
}

function evidenceList(card) {
  const section = el("section", null, "evidence");
  section.append(el("h4", "Evidence posts"));
  let count = 0;
  for (const [name, component] of Object.entries(card.components)) {
    for (const item of component.evidence || []) {
      const entry = el("div", null, "evidence-post");
      const meta = el("div", `${name} · ${item.label} · ${Math.round(item.weight * 100)}% · post ${item.post_id}`, "meta");
      entry.append(meta, markedText(item.snippet, item.terms));
      if (item.terms.length) entry.append(el("div", `words: ${item.terms.join(", ")}`, "terms"));
      section.append(entry);
      count += 1;
    }
  }
  if (!count) section.append(el("p", "No evidence posts: no component had a post to point to."));
  return section;
}

function flagList(card) {
  const section = el("section", null, "card-flags");
  section.append(el("h4", "Flags"));
  const list = el("ul");
  for (const flag of cardFlags(card)) list.append(el("li", flag));
  for (const post of card.disclosure.posts || []) {
    if (post.status !== "clear") list.append(el("li", `disclosure ${post.status} in post ${post.post_id}: ${post.snippet}`));
  }
  const flagged = (card.components.safety && card.components.safety.detail.flagged) || [];
  for (const f of flagged) {
    list.append(el("li", `${f.flag} (${f.risk} risk${f.avoided ? ", avoided by the brand" : ""}) in post ${f.post_id}: ${f.snippet}`));
  }
  if (!list.children.length) list.append(el("li", "none"));
  section.append(list);
  return section;
}

function showCard(index) {
  const card = lastRanking[index];
  const article = $("card");
  article.replaceChildren();
  const title = el("h3", `${card.rank}. ${card.handle} — ${card.score.toFixed(1)} / 100 for ${card.brand}`);
  const cov = card.coverage;
  const facts = el("p", `${card.platform} · ${card.followers.toLocaleString("en")} followers · ` +
    `${cov.posts_scored} of ${cov.posts} posts scored · ${cov.brand_mentions} brand mentions · ` +
    `${cov.competitor_mentions} competitor mentions · combined as ${card.combine}`, "facts");
  article.append(title, facts, componentTable(card), flagList(card), evidenceList(card));
  for (const row of $("ranking").tBodies[0].rows) row.classList.toggle("selected", row.rowIndex - 1 === index);
  article.hidden = false;
}

// ---- actions ---------------------------------------------------------------------

async function rank(event) {
  event.preventDefault();
  const button = $("rank");
  try {
    const influencers = readCandidates();
    const brand = readBrand();
    button.disabled = true;
    setStatus(`scoring ${influencers.length} creator(s) …`);
    sessionStorage.setItem(KEY_STORE, $("api-key").value);
    const body = await postJson("/v1/rank", { brand, influencers });
    lastRanking = body.ranking;
    renderRanking(lastRanking);
    if (lastRanking.length) showCard(0);
    setStatus(`ranked ${lastRanking.length} creator(s) for ${brand.name}`, "ok");
  } catch (error) {
    setStatus(error instanceof InputError ? error.message : `could not reach the server: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

async function fetchText(name) {
  const response = await fetch(EXAMPLES + name);
  if (!response.ok) throw new Error(`${name}: ${response.status}`);
  return response.text();
}

function setBrand(preset) {
  const brand = preset === "minimal"
    ? { name: exampleBrand.name, niches: exampleBrand.niches }
    : exampleBrand;
  $("brand").value = JSON.stringify(brand, null, 2);
}

async function init() {
  $("api-key").value = sessionStorage.getItem(KEY_STORE) || "";
  $("form").addEventListener("submit", rank);
  $("brand-preset").addEventListener("change", (e) => setBrand(e.target.value));
  $("reset-brand").addEventListener("click", () => setBrand($("brand-preset").value));
  $("load-example").addEventListener("click", async () => {
    try { $("candidates").value = await fetchText("candidates.jsonl"); setStatus("example candidates loaded"); }
    catch (error) { setStatus(`could not load the example: ${error.message}`, "error"); }
  });
  $("file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    $("candidates").value = await file.text();
    setStatus(`${file.name} loaded (${file.size.toLocaleString("en")} bytes)`);
  });
  try {
    exampleBrand = JSON.parse(await fetchText("brand.json"));
    setBrand("example");
  } catch (error) {
    setStatus(`could not load the example brand: ${error.message}`, "error");
  }
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", init);
