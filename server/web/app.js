// The page for guidance counsellors: from a pupil's address, the schools
// within reach and their trainings, by travel-time band; a school's
// journey drawn on the map. Every control's state is kept in the page's
// address, so that a link or a reload shows the same view.
import { MapView, Box } from "./map.js";
import { BAND_COLOURS } from "./palette.js";
import { icon, modality, legMode } from "./icons.js";

const $ = (id) => document.getElementById(id);
const body = document.body;

// Band limits the page asks for, up to the longest trip chosen.
const CUTS = [15, 30, 45, 60, 90, 120];
const MODES = ["walk", "bike", "transit", "school"];
const DEFAULTS = { arrive_by: "08:30", max_minutes: "90", modes: "walk,transit,school", diploma: "", track: "", boarding: false, rings: true };

// What the page shows: the controls' values, the origin and the school
// chosen. The URL holds all of it.
const state = {
  origin: null, // {lat, lon}, 6 decimals
  address: "", // the place chosen in the suggestions ("" for a point of the map)
  arrive_by: DEFAULTS.arrive_by,
  max_minutes: DEFAULTS.max_minutes,
  modes: DEFAULTS.modes.split(","),
  diploma: "",
  track: "",
  boarding: false,
  rings: true,
  uai: "", // the school whose journey is shown
};

// What the last search found.
const found = { answer: null, schools: new Map(), journey: null };

const map = new MapView($("map"), {
  tileURL: body.dataset.tiles || "",
  onPick: (lon, lat) => pickPoint(lon, lat),
  onSchool: (uai) => selectSchool(uai, { fromMap: true }),
  onView: () => scheduleStreets(),
});

// ---- The page's address --------------------------------------------------

function readURL() {
  const q = new URLSearchParams(location.search);
  const lat = parseFloat(q.get("lat")), lon = parseFloat(q.get("lon"));
  state.origin = Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
    ? { lat: round6(lat), lon: round6(lon) } : null;
  state.address = state.origin ? (q.get("address") || "") : "";
  const arrive = q.get("arrive_by") || "";
  state.arrive_by = /^([01]\d|2[0-3]):[0-5]\d$/.test(arrive) ? arrive : DEFAULTS.arrive_by;
  const max = q.get("max_minutes") || "";
  state.max_minutes = [...$("max").options].some((o) => o.value === max) ? max : DEFAULTS.max_minutes;
  const modes = (q.get("modes") || DEFAULTS.modes).split(",").filter((m) => MODES.includes(m));
  state.modes = modes.length ? modes : DEFAULTS.modes.split(",");
  state.diploma = (q.get("diploma") || "").trim();
  state.track = ["scolaire", "apprentissage"].includes(q.get("track")) ? q.get("track") : "";
  state.boarding = q.get("boarding") === "true";
  state.rings = q.get("rings") !== "false";
  state.uai = state.origin ? (q.get("uai") || "").toUpperCase() : "";
}

function writeURL() {
  const q = new URLSearchParams();
  if (state.origin) {
    if (state.address) q.set("address", state.address);
    q.set("lat", state.origin.lat.toFixed(6));
    q.set("lon", state.origin.lon.toFixed(6));
  }
  if (state.arrive_by !== DEFAULTS.arrive_by) q.set("arrive_by", state.arrive_by);
  if (state.max_minutes !== DEFAULTS.max_minutes) q.set("max_minutes", state.max_minutes);
  if (state.modes.join(",") !== DEFAULTS.modes) q.set("modes", state.modes.join(","));
  if (state.diploma) q.set("diploma", state.diploma);
  if (state.track) q.set("track", state.track);
  if (state.boarding) q.set("boarding", "true");
  if (!state.rings) q.set("rings", "false");
  if (state.uai) q.set("uai", state.uai);
  const s = q.toString();
  const url = location.pathname + (s ? "?" + s : "");
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

// showControls sets the form from the state.
function showControls() {
  $("address").value = state.address || (state.origin ? coordsText(state.origin) : "");
  $("arrive").value = state.arrive_by;
  $("max").value = state.max_minutes;
  for (const box of document.querySelectorAll("input[name=mode]")) box.checked = state.modes.includes(box.value);
  const d = $("diploma");
  if (state.diploma && ![...d.options].some((o) => o.value === state.diploma)) {
    d.append(new Option(state.diploma, state.diploma)); // a value from a link
  }
  d.value = state.diploma;
  $("track").value = state.track;
  $("boarding").checked = state.boarding;
  for (const r of document.querySelectorAll("input[name=rings]")) r.checked = r.value === String(state.rings);
  syncModes();
  showCriteria();
}

const MODE_NAMES = { walk: "à pied", bike: "à vélo", transit: "transports en commun", school: "cars scolaires" };

// showCriteria sums up the criteria beside their title, for when they are
// folded (on narrow screens).
function showCriteria() {
  const parts = ["arrivée avant " + state.arrive_by, "trajet au plus " + $("max").selectedOptions[0].textContent,
    state.modes.map((m) => MODE_NAMES[m]).join(", "), state.diploma ? "diplôme " + $("diploma").selectedOptions[0].textContent : "tous diplômes",
    state.track ? "voie " + state.track : "toutes voies"];
  if (state.boarding) parts.push("avec internat");
  $("criteria-text").textContent = parts.join(" · ");
}

// readControls sets the state from the form, but the address.
function readControls() {
  state.arrive_by = /^\d\d:\d\d/.test($("arrive").value) ? $("arrive").value.slice(0, 5) : DEFAULTS.arrive_by;
  state.max_minutes = $("max").value;
  state.modes = [...document.querySelectorAll("input[name=mode]:checked")].map((b) => b.value);
  state.diploma = $("diploma").value;
  state.track = $("track").value;
  state.boarding = $("boarding").checked;
  state.rings = document.querySelector("input[name=rings]:checked").value === "true";
  showCriteria();
}

// School buses are only taken with public transport.
function syncModes() {
  const transit = document.querySelector("input[name=mode][value=transit]");
  const school = document.querySelector("input[name=mode][value=school]");
  school.disabled = !transit.checked;
  if (!transit.checked) school.checked = false;
}

// ---- Formatting ---------------------------------------------------------

const round6 = (x) => Math.round(x * 1e6) / 1e6;
const coordsText = (o) => o.lat.toFixed(6) + ", " + o.lon.toFixed(6);

// clock shows HH:MM[:SS] as HH:MM, marking times past midnight.
function clock(t) {
  if (!t) return "";
  const h = parseInt(t.slice(0, 2), 10);
  const hm = String(h % 24).padStart(2, "0") + ":" + t.slice(3, 5);
  return h >= 24 ? hm + " (le lendemain)" : hm;
}

const NBSP = "\u00a0";

function duration(s) {
  const m = Math.round(s / 60);
  if (m < 60) return m + NBSP + "min";
  return Math.floor(m / 60) + NBSP + "h" + NBSP + String(m % 60).padStart(2, "0");
}

function bandText(band) {
  const [a, b] = band.split("-");
  return a === "0" ? "moins de " + b + " min" : a + " à " + b + " min";
}

function metres(m) {
  return m >= 1000 ? (m / 1000).toFixed(1).replace(".", ",") + " km" : Math.round(m / 10) * 10 + " m";
}

const WEEKDAYS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
function day(date) {
  const [y, m, d] = date.split("-").map(Number);
  if (!y) return date;
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()] + " " + [d, m].map((v) => String(v).padStart(2, "0")).join("/") + "/" + y;
}

function plural(n, one, many) { return n + " " + (n > 1 ? many : one); }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== "") e.append(c);
  return e;
}

const bandColour = (i) => BAND_COLOURS[Math.min(i, BAND_COLOURS.length - 1)];

// ---- The API ------------------------------------------------------------

async function getJSON(url, signal) {
  const res = await fetch(url, { headers: { Accept: "application/json" }, signal });
  const type = res.headers.get("Content-Type") || "";
  const doc = type.includes("json") ? await res.json() : null;
  if (!res.ok) {
    const err = new Error((doc && doc.detail) || res.status + " " + res.statusText);
    err.status = res.status;
    err.problem = doc || {};
    throw err;
  }
  return doc;
}

// frenchError says what went wrong, for a counsellor.
function frenchError(e) {
  const p = e.problem || {};
  if (!e.status && e instanceof TypeError && /fetch|network/i.test(e.message)) {
    return "Le service ne répond pas. Vérifiez la connexion, puis réessayez.";
  }
  if (!e.status) return "Erreur de la page : " + e.message;
  if (e.status === 400 && (p.param === "lat" || p.param === "lon")) {
    return "Cette adresse est hors de la zone couverte par le service.";
  }
  if (e.status === 400) return "Recherche refusée (" + (p.param || "paramètre") + ") : " + (p.detail || e.message);
  if (e.status === 404 && /not-reachable/.test(p.type || "")) return "Aucun trajet n'arrive à temps vers cet établissement.";
  if (e.status === 404) return "Élément introuvable : " + (p.detail || e.message);
  if (e.status === 503 && /timeout/.test(p.type || "")) return "La recherche a pris trop de temps ; réessayez.";
  if (e.status === 503) return "Le service est occupé ou en cours de démarrage ; réessayez dans quelques secondes.";
  return "Erreur du service (" + e.status + ") : " + (p.detail || e.message);
}

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = kind || "";
}

// routing are the routing parameters of the state.
function routing() {
  const max = parseInt(state.max_minutes, 10);
  return new URLSearchParams({
    lat: state.origin.lat.toFixed(6), lon: state.origin.lon.toFixed(6), arrive_by: state.arrive_by,
    max_minutes: String(max), modes: state.modes.join(","),
  });
}

function cutoffs() {
  const max = parseInt(state.max_minutes, 10);
  return CUTS.filter((c) => c < max).concat([max]);
}

// ---- Address suggestions ------------------------------------------------

const combo = { items: [], active: -1, seq: 0, timer: 0, abort: null, text: "" };
const input = $("address");
const listbox = $("suggestions");

const PLACE_KIND = { housenumber: "adresse", street: "rue", school: "établissement", stop: "arrêt" };

function openList(items) {
  combo.items = items;
  combo.active = -1;
  listbox.replaceChildren(...items.map((f, i) => {
    const p = f.properties;
    const li = el("li", { role: "option", id: "suggestion-" + i, "aria-selected": "false", "data-index": String(i) },
      el("span", { class: "place", text: p.label }), el("span", { class: "kind", text: PLACE_KIND[p.type] || p.type }));
    li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the field
    li.addEventListener("click", () => choose(i));
    return li;
  }));
  const open = items.length > 0;
  listbox.hidden = !open;
  input.setAttribute("aria-expanded", String(open));
  input.removeAttribute("aria-activedescendant");
}

function closeList() {
  listbox.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  combo.active = -1;
}

function moveActive(step) {
  if (!combo.items.length) return;
  if (listbox.hidden) { listbox.hidden = false; input.setAttribute("aria-expanded", "true"); }
  const n = combo.items.length;
  combo.active = combo.active < 0 ? (step > 0 ? 0 : n - 1) : (combo.active + step + n) % n;
  for (const li of listbox.children) {
    const on = Number(li.dataset.index) === combo.active;
    li.setAttribute("aria-selected", String(on));
    if (on) li.scrollIntoView({ block: "nearest" });
  }
  input.setAttribute("aria-activedescendant", "suggestion-" + combo.active);
}

// suggest asks for the places matching the text, the nearest to the map's
// centre first; only the latest answer is shown.
async function suggest(text) {
  const seq = ++combo.seq;
  if (combo.abort) combo.abort.abort();
  if (text.trim().length < 2 || parseCoords(text)) { openList([]); return []; }
  combo.abort = new AbortController();
  const view = map.viewBox();
  const q = new URLSearchParams({ q: text.slice(0, 200), limit: "6",
    lat: ((view[1] + view[3]) / 2).toFixed(5), lon: ((view[0] + view[2]) / 2).toFixed(5) });
  try {
    const doc = await getJSON("/v1/geocode?" + q, combo.abort.signal);
    if (seq !== combo.seq) return [];
    combo.text = text;
    listbox.dataset.query = text; // the text the suggestions are for
    openList(doc.features);
    if (!doc.features.length) setStatus("Aucune adresse ne correspond à « " + text.trim() + " ».");
    return doc.features;
  } catch (e) {
    if (e.name !== "AbortError" && seq === combo.seq) setStatus(frenchError(e), "error");
    return [];
  }
}

function choose(i) {
  const f = combo.items[i];
  if (!f) return;
  closeList();
  const [lon, lat] = f.geometry.coordinates;
  input.value = f.properties.label;
  setOrigin({ lat: round6(lat), lon: round6(lon) }, f.properties.label);
}

// parseCoords reads "lat, lon" typed in the address field.
function parseCoords(text) {
  const m = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)$/);
  if (!m) return null;
  const lat = parseFloat(m[1]), lon = parseFloat(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat: round6(lat), lon: round6(lon) } : null;
}

// submitAddress takes the suggestion under the cursor, or else the first
// one for the text typed, or coordinates.
async function submitAddress() {
  if (!listbox.hidden && combo.active >= 0) { choose(combo.active); return; }
  const text = input.value;
  const coords = parseCoords(text);
  if (coords) { closeList(); setOrigin(coords, ""); return; }
  if (!text.trim()) {
    setStatus("Tapez l'adresse de l'élève, ou cliquez sur la carte.", "error");
    input.focus();
    return;
  }
  if (state.origin && text === state.address) { search(); return; } // the same place, new settings
  clearTimeout(combo.timer);
  const items = combo.text === text && combo.items.length ? combo.items : await suggest(text);
  if (items.length) choose(0);
  else setStatus("Aucune adresse ne correspond à « " + text.trim() + " ». Essayez une autre écriture, ou cliquez sur la carte.", "error");
}

input.addEventListener("input", () => {
  clearTimeout(combo.timer);
  combo.timer = setTimeout(() => suggest(input.value), 150);
});
input.addEventListener("keydown", (e) => {
  switch (e.key) {
    case "ArrowDown": moveActive(1); break;
    case "ArrowUp": moveActive(-1); break;
    case "Escape":
      if (listbox.hidden) return;
      closeList();
      break;
    case "Enter":
      submitAddress();
      break;
    default:
      return;
  }
  e.preventDefault();
});
input.addEventListener("blur", () => setTimeout(closeList, 100));

// ---- Searching ------------------------------------------------------------

function setOrigin(o, label) {
  state.origin = o;
  state.address = label || "";
  state.uai = "";
  if (!label) input.value = coordsText(o);
  search({ refit: true });
}

function pickPoint(lon, lat) {
  closeList();
  setOrigin({ lat: round6(lat), lon: round6(lon) }, "");
}

let searchSeq = 0;
const isoCache = { key: "", doc: null };

// search asks for the reachable schools and the bands, then shows them.
async function search({ refit = true } = {}) {
  readControls();
  writeURL();
  if (!state.origin) { showIntro(); return; }
  if (!state.modes.length) {
    setStatus("Choisissez au moins un mode de déplacement.", "error");
    return;
  }
  const seq = ++searchSeq;
  body.dataset.state = "loading";
  $("panel").setAttribute("aria-busy", "true");
  setStatus("Recherche des formations accessibles…", "busy");
  map.setOrigin(state.origin);
  const cut = cutoffs();
  const reach = routing();
  reach.set("cutoffs", cut.join(","));
  reach.set("group", "school");
  reach.set("per_page", "500");
  if (state.diploma) reach.set("diploma", state.diploma);
  if (state.track) reach.set("track", state.track);
  if (state.boarding) reach.set("boarding", "true");
  const iso = routing();
  iso.set("cutoffs", cut.join(","));
  iso.set("rings", String(state.rings));
  const isoKey = iso.toString();
  try {
    const [answer, bands] = await Promise.all([
      getJSON("/v1/reachable?" + reach),
      isoCache.key === isoKey ? isoCache.doc
        : getJSON("/v1/isochrone?" + iso).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    ]);
    if (seq !== searchSeq) return;
    isoCache.key = isoKey;
    isoCache.doc = bands;
    found.answer = answer;
    found.journey = null;
    found.schools = new Map((answer.schools || []).filter((s) => s.best.reachable).map((s) => [s.school.uai, s]));
    map.setBands(bands, state.rings);
    map.setSchools([...found.schools.values()].map((s) => ({ uai: s.school.uai, lon: s.school.lon, lat: s.school.lat, band: s.best.band_index })));
    showLegend(answer.summary.bands);
    showResults(answer);
    if (refit) fitResults();
    const wanted = state.uai;
    state.uai = "";
    map.setSelected("");
    map.setJourney([]);
    if (wanted && found.schools.has(wanted)) await selectSchool(wanted, { restore: true });
    else writeURL();
    if (seq !== searchSeq) return;
    body.dataset.state = "done";
  } catch (e) {
    if (seq !== searchSeq) return;
    body.dataset.state = "error";
    setStatus("La recherche a échoué. " + frenchError(e), "error");
    found.answer = null;
    found.journey = null;
    found.schools = new Map();
    state.uai = "";
    writeURL();
    map.setBands(null, state.rings);
    map.setSchools([]);
    map.setJourney([]);
    $("legend").replaceChildren();
    $("summary").replaceChildren();
    $("results").replaceChildren(el("p", { class: "empty", text: "Aucun résultat à afficher." }));
  } finally {
    if (seq === searchSeq) $("panel").removeAttribute("aria-busy");
  }
}

// fitResults shows the origin and the schools found.
function fitResults() {
  if (!state.origin) return;
  const box = new Box().add(state.origin.lon, state.origin.lat);
  for (const s of found.schools.values()) box.add(s.school.lon, s.school.lat);
  const b = box.b;
  if (b[0] === b[2] && b[1] === b[3]) {
    const d = 0.01; // alone: a few streets around it
    map.fit([b[0] - d, b[1] - d * 0.7, b[2] + d, b[3] + d * 0.7], FIT_PAD);
  } else {
    map.fit(b, FIT_PAD);
  }
}

// Margins of a fitted view, in pixels: room for the zoom buttons on the left.
const FIT_PAD = { top: 28, right: 28, bottom: 28, left: 58 };

// ---- Results --------------------------------------------------------------

function showIntro() {
  body.dataset.state = "ready";
  found.answer = null;
  found.schools = new Map();
  map.setSchools([]);
  map.setBands(null, true);
  map.setJourney([]);
  $("legend").replaceChildren();
  $("summary").replaceChildren();
  $("results").replaceChildren(el("div", { class: "intro" },
    el("p", { text: "Tapez l'adresse de l'élève, ou cliquez sur la carte à l'endroit où il habite." }),
    el("p", { text: "La page montre les établissements qu'il peut rejoindre à pied, en transports en commun ou en car scolaire, par temps de trajet, avec leurs formations. Choisissez un établissement pour voir le trajet." })));
  setStatus("");
}

function showLegend(bands) {
  const items = bands.map((b, i) => el("li", {}, swatch(i), bandText(b.band)));
  const legend = [el("p", { class: "legend-title", text: "Temps de trajet" }), el("ul", { class: "bands" }, ...items),
    el("ul", { class: "marker-key" },
      el("li", {}, el("span", { class: "key origin" }), "adresse"),
      el("li", {}, el("span", { class: "key school" }), "établissement"))];
  if (found.journey) {
    const keys = [el("li", {}, el("span", { class: "key walk" }), "à pied")];
    if (found.journey.legs.some((l) => l.mode === "bike")) keys.push(el("li", {}, el("span", { class: "key bike" }), "à vélo"));
    keys.push(el("li", {}, el("span", { class: "key ride" }), "en véhicule, arrêts"));
    legend.push(el("ul", { class: "journey-key" }, ...keys));
  }
  $("legend").replaceChildren(...legend);
}

function swatch(i) {
  const s = el("span", { class: state.rings ? "swatch" : "swatch line" });
  s.style.setProperty("--band", bandColour(i));
  return s;
}

function showResults(answer) {
  const sum = answer.summary;
  const schools = [...found.schools.values()];
  const within = "en " + duration(sum.max_minutes * 60) + " au plus";
  const when = "arrivée avant " + clock(sum.arrive_by) + ", horaires du " + day(sum.date);
  if (!schools.length) {
    setStatus("Aucune formation accessible " + within + " avec ces critères (" + when + ").");
    $("summary").replaceChildren();
    $("results").replaceChildren(el("div", { class: "empty" },
      el("p", { text: "Aucune formation accessible " + within + " avec ces critères." }),
      el("p", { text: "Essayez un temps de trajet plus long, une heure d'arrivée plus tardive, ou retirez un filtre." })));
    return;
  }
  setStatus(plural(sum.reachable_schools, "établissement", "établissements") + " et " +
    plural(sum.reachable_offers, "formation accessible", "formations accessibles") + " " + within + " (" + when + ").");
  const shown = schools.length < sum.reachable_schools
    ? el("p", { class: "note", text: "Les " + schools.length + " établissements les plus proches en temps sont listés." }) : null;
  $("summary").replaceChildren(...[shown].filter(Boolean));
  const sections = sum.bands.map((b, i) => ({ band: b, i, list: el("ol", { class: "schools" }) }));
  for (const s of schools) sections[s.best.band_index].list.append(schoolCard(s));
  $("results").replaceChildren(...sections.filter((x) => x.list.children.length).map((x) =>
    el("section", { class: "band", "data-band": x.band.band },
      el("h2", {}, swatch(x.i), el("span", { text: bandText(x.band.band).replace(/^./, (c) => c.toUpperCase()) }),
        el("span", { class: "count", text: plural(x.band.schools, "établissement", "établissements") + ", " + plural(x.band.offers, "formation", "formations") })),
      x.list)));
}

const VISIBLE_OFFERS = 5;

function schoolCard(s) {
  const sc = s.school, t = s.best;
  const m = modality(t.modality);
  const journeyId = "journey-" + sc.uai;
  const toggle = el("button", { type: "button", class: "school-toggle", "aria-expanded": "false", "aria-controls": journeyId },
    el("span", { class: "name", text: sc.name }),
    el("span", { class: "commune", text: sc.commune || "" }),
    el("span", { class: "show-journey", text: "Voir le trajet" }));
  toggle.addEventListener("click", () => selectSchool(sc.uai, { fromMap: false }));
  const details = [];
  if (t.depart) details.push("départ " + clock(t.depart));
  if (t.modality !== "walk") details.push(t.transfers ? plural(t.transfers, "correspondance", "correspondances") : "direct");
  if (t.walk_m) details.push(metres(t.walk_m) + " à pied");
  const mode = el("span", { class: "modality", "data-modality": t.modality }, ...m.icons.map(icon), el("span", { text: m.text }));
  const marks = el("p", { class: "marks" });
  if (sc.boarding) marks.append(el("span", { class: "mark boarding", text: "Internat" }));
  if (sc.sector === "private") marks.append(el("span", { class: "mark", text: "Privé" }));
  else if (sc.sector === "public") marks.append(el("span", { class: "mark", text: "Public" }));
  if (sc.onisep_url) {
    marks.append(el("a", { class: "onisep", href: sc.onisep_url, target: "_blank", rel: "noopener noreferrer" },
      "Fiche ONISEP", el("span", { class: "sr-only", text: " de " + sc.name + " (nouvel onglet)" })));
  }
  const offers = s.offers.map((o) => el("li", { class: "offer", "data-track": o.track },
    el("span", { class: "label", text: o.label }),
    o.track === "apprentissage" ? el("span", { class: "mark track", text: "apprentissage" }) : null));
  const list = el("ul", { class: "offers" }, ...offers.slice(0, VISIBLE_OFFERS));
  let more = null;
  if (offers.length > VISIBLE_OFFERS) {
    more = el("details", { class: "more-offers" },
      el("summary", { text: plural(offers.length - VISIBLE_OFFERS, "autre formation", "autres formations") }),
      el("ul", { class: "offers" }, ...offers.slice(VISIBLE_OFFERS)));
  }
  const time = el("span", { class: "band-chip" }, swatch(t.band_index), el("strong", { text: duration(t.duration_s) }));
  return el("li", { class: "school", "data-uai": sc.uai, id: "school-" + sc.uai },
    el("h3", {}, toggle),
    el("p", { class: "trip" }, time, mode, el("span", { class: "times", text: details.join(" · ") })),
    marks.children.length ? marks : null,
    list, more,
    el("div", { class: "journey", id: journeyId, hidden: true }));
}

// ---- A school's journey -------------------------------------------------

let journeySeq = 0;

async function selectSchool(uai, { fromMap = false, restore = false } = {}) {
  const s = found.schools.get(uai);
  if (!s) return;
  const card = $("school-" + uai);
  if (state.uai === uai && !restore) { // a second click closes it
    unselect();
    return;
  }
  unselect();
  state.uai = uai;
  writeURL();
  map.setSelected(uai);
  card.classList.add("selected");
  const toggle = card.querySelector(".school-toggle");
  toggle.setAttribute("aria-expanded", "true");
  toggle.querySelector(".show-journey").textContent = "Masquer le trajet";
  const box = card.querySelector(".journey");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "loading", text: "Calcul du trajet…" }));
  reveal(card, fromMap);
  if (fromMap) toggle.focus({ preventScroll: true });
  const seq = ++journeySeq;
  const q = routing();
  q.set("uai", uai);
  try {
    const j = await getJSON("/v1/journey?" + q);
    if (seq !== journeySeq || state.uai !== uai) return;
    found.journey = j;
    map.setJourney(j.legs);
    showLegend(found.answer.summary.bands);
    box.replaceChildren(journeyList(j, s.school));
    reveal(card, fromMap);
    const jb = new Box();
    for (const l of j.legs) for (const p of l.path || []) jb.add(p[0], p[1]);
    if (!jb.empty && !map.contains(jb.b)) {
      const all = new Box().add(jb.b[0], jb.b[1]).add(jb.b[2], jb.b[3]);
      const v = map.viewBox();
      all.add(v[0], v[1]).add(v[2], v[3]);
      map.fit(all.b, FIT_PAD);
    }
  } catch (e) {
    if (seq !== journeySeq) return;
    box.replaceChildren(el("p", { class: "error", text: frenchError(e) }));
  }
}

// reveal scrolls the list to a school's card. On a narrow screen, where
// the page scrolls as a whole, only a click on the map moves it there:
// a page opened from a link keeps showing the map first.
function reveal(card, fromMap) {
  const panel = $("panel");
  if (panel.scrollHeight > panel.clientHeight && getComputedStyle(panel).overflowY !== "visible") {
    const r = card.getBoundingClientRect(), p = panel.getBoundingClientRect();
    if (r.top < p.top || r.bottom > p.top + panel.clientHeight) panel.scrollTop += r.top - p.top - 8;
  } else if (fromMap) {
    card.scrollIntoView({ block: "start" });
  }
}

function unselect() {
  if (!state.uai) return;
  const card = $("school-" + state.uai);
  if (card) {
    card.classList.remove("selected");
    const toggle = card.querySelector(".school-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.querySelector(".show-journey").textContent = "Voir le trajet";
    const box = card.querySelector(".journey");
    box.hidden = true;
    box.replaceChildren();
  }
  state.uai = "";
  found.journey = null;
  journeySeq++;
  map.setSelected("");
  map.setJourney([]);
  if (found.answer) showLegend(found.answer.summary.bands);
  writeURL();
}

function journeyList(j, school) {
  const head = el("p", { class: "journey-head" },
    "Départ " + clock(j.depart) + ", arrivée " + clock(j.arrive) + " : " + duration(j.duration_s) +
    (j.transfers ? ", " + plural(j.transfers, "correspondance", "correspondances") : "") + ".");
  const legs = j.legs.map((l) => {
    const m = legMode(l);
    const from = l.from === "origin" ? "l'adresse de départ" : l.from;
    let text;
    if (l.mode === "walk" || l.mode === "bike") {
      const to = l.to === school.name ? school.name : "l'arrêt " + l.to;
      text = m.text + (l.distance_m ? ", " + metres(l.distance_m) : "") + ", de " + from + " à " + to;
    } else {
      text = m.text + (l.line ? " " + l.line : "") + (l.headsign ? " direction " + l.headsign : "") +
        ", de " + l.from + " à " + l.to;
    }
    return el("li", { "data-mode": l.mode },
      el("span", { class: "leg-time", text: clock(l.depart) }), icon(m.icon),
      el("span", { class: "leg-text", text: text + " (arrivée " + clock(l.arrive) + ")" }));
  });
  return el("div", {}, head, el("ol", { class: "legs", "aria-label": "Étapes du trajet" }, ...legs));
}

// ---- Streets of the view ------------------------------------------------

let streetsTimer = 0, streetsKey = "";

function scheduleStreets() {
  body.dataset.streets = "loading";
  clearTimeout(streetsTimer);
  streetsTimer = setTimeout(loadStreets, 200);
}

async function loadStreets() {
  const timer = streetsTimer;
  const b = map.viewBox();
  const pad = [(b[2] - b[0]) * 0.25, (b[3] - b[1]) * 0.25];
  const box = [b[0] - pad[0], b[1] - pad[1], b[2] + pad[0], b[3] + pad[1]].map((v, i) =>
    Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5)).join(",");
  const key = box + "@" + Math.round(map.view.z * 2);
  if (key !== streetsKey) {
    try {
      const doc = await getJSON("/v1/streets?bbox=" + box);
      if (streetsTimer !== timer) return; // the view moved again meanwhile
      map.setStreets(doc);
      streetsKey = key;
    } catch (e) {
      setStatus("Les rues ne s'affichent pas : " + frenchError(e), "error");
    }
  }
  if (streetsTimer === timer) body.dataset.streets = "ready";
}

// ---- Controls -----------------------------------------------------------

$("search").addEventListener("submit", (e) => {
  e.preventDefault();
  submitAddress();
});

let changeTimer = 0;
$("search").addEventListener("change", (e) => {
  if (e.target === input) return;
  if (e.target.name === "mode") syncModes();
  clearTimeout(changeTimer);
  // A new time or limit moves the bands; a filter only the list.
  changeTimer = setTimeout(() => search({ refit: true }), e.target.type === "time" ? 400 : 0);
});

$("zones").addEventListener("change", () => search({ refit: false }));

$("zoom-in").addEventListener("click", () => map.zoomAt(map.width / 2, map.height / 2, 1));
$("zoom-out").addEventListener("click", () => map.zoomAt(map.width / 2, map.height / 2, -1));
$("refit").addEventListener("click", () => {
  if (state.origin) fitResults();
  else if (graphBox) map.fit(graphBox, { top: 0, right: 0, bottom: 0, left: 0 });
});

// ---- Start ----------------------------------------------------------------

let graphBox = null;

async function start() {
  setStatus("Chargement de la carte…", "busy");
  readURL();
  showControls();
  // On a narrow screen the criteria start folded, so that the map shows.
  if (window.matchMedia("(max-width: 760px)").matches) $("criteria").open = false;
  try {
    const g = await getJSON("/v1/graph");
    graphBox = g.map_bbox || g.bbox;
    map.fit(graphBox, { top: 0, right: 0, bottom: 0, left: 0 });
    $("attribution").textContent = "Rues © OpenStreetMap (ODbL) · horaires du " + day(g.date);
  } catch (e) {
    body.dataset.state = "error";
    setStatus("Le service n'est pas prêt. " + frenchError(e), "error");
    return;
  }
  if (state.origin) await search({ refit: true });
  else showIntro();
}

start();
