// reach web page: pick an address on a map drawn from the graph's own
// streets (no tile server needed), see the isochrone bands and the
// trainings reachable by band, open one to see its journey.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const canvas = $("map");
  const ctx = canvas.getContext("2d");
  const body = document.body;
  const tileURL = body.dataset.tiles || "";
  const TILE = 256;
  const PALETTE = ["#1a9850", "#66bd63", "#a6d96a", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026", "#7f0030", "#5a0040", "#3a0050"];

  const view = { x: 0, y: 0, z: 12 }; // centre in world pixels at zoom z
  const state = {
    streets: null, streetsKey: "", iso: null, bands: [], colours: [], origin: null,
    results: [], selected: null, request: 0, tiles: new Map(),
  };

  // Web Mercator.
  const worldSize = (z) => TILE * Math.pow(2, z);
  function project(lon, lat, z) {
    const s = worldSize(z);
    const sin = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
    return [((lon + 180) / 360) * s, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * s];
  }
  function unproject(x, y, z) {
    const s = worldSize(z);
    const lon = (x / s) * 360 - 180;
    const n = Math.PI - (2 * Math.PI * y) / s;
    return [lon, (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)))];
  }
  function toScreen(lon, lat) {
    const p = project(lon, lat, view.z);
    return [p[0] - view.x + canvas.width / 2 / dpr(), p[1] - view.y + canvas.height / 2 / dpr()];
  }
  function toLonLat(sx, sy) {
    return unproject(view.x + sx - canvas.width / 2 / dpr(), view.y + sy - canvas.height / 2 / dpr(), view.z);
  }
  const dpr = () => window.devicePixelRatio || 1;

  function viewBBox() {
    const w = canvas.width / dpr(), h = canvas.height / dpr();
    const a = toLonLat(0, h), b = toLonLat(w, 0);
    return [a[0], a[1], b[0], b[1]];
  }

  function fit(b) {
    const w = canvas.width / dpr() || 800, h = canvas.height / dpr() || 600;
    for (let z = 18; z >= 1; z -= 0.25) {
      const p = project(b[0], b[1], z), q = project(b[2], b[3], z);
      if (q[0] - p[0] <= w * 0.95 && p[1] - q[1] <= h * 0.95) {
        view.z = z;
        view.x = (p[0] + q[0]) / 2;
        view.y = (p[1] + q[1]) / 2;
        return;
      }
    }
  }

  function zoomAt(sx, sy, dz) {
    const nz = Math.max(2, Math.min(19, view.z + dz));
    const ll = toLonLat(sx, sy);
    view.z = nz;
    const p = project(ll[0], ll[1], nz);
    view.x = p[0] - (sx - canvas.width / 2 / dpr());
    view.y = p[1] - (sy - canvas.height / 2 / dpr());
    draw();
    scheduleStreets();
  }

  // Drawing.
  let pending = false;
  function draw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }

  function render() {
    const r = dpr();
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.fillStyle = "#fbfbf8";
    ctx.fillRect(0, 0, canvas.width / r, canvas.height / r);
    if (tileURL) drawTiles();
    drawBands();
    drawStreets();
    drawSchools();
    drawOrigin();
  }

  function drawTiles() {
    const z = Math.max(0, Math.min(19, Math.round(view.z)));
    const scale = Math.pow(2, view.z - z);
    const w = canvas.width / dpr(), h = canvas.height / dpr();
    const x0 = (view.x - w / 2) / scale, y0 = (view.y - h / 2) / scale;
    const n = Math.pow(2, z);
    for (let tx = Math.floor(x0 / TILE); tx <= Math.floor((x0 + w / scale) / TILE); tx++) {
      for (let ty = Math.floor(y0 / TILE); ty <= Math.floor((y0 + h / scale) / TILE); ty++) {
        if (ty < 0 || ty >= n) continue;
        const key = z + "/" + (((tx % n) + n) % n) + "/" + ty;
        let img = state.tiles.get(key);
        if (!img) {
          img = new Image();
          img.crossOrigin = "anonymous";
          img.onload = draw;
          img.onerror = () => { img.failed = true; };
          const [zz, xx, yy] = key.split("/");
          img.src = tileURL.replace("{z}", zz).replace("{x}", xx).replace("{y}", yy);
          state.tiles.set(key, img);
        }
        if (img.complete && !img.failed && img.naturalWidth > 0) {
          ctx.drawImage(img, (tx * TILE - x0) * scale, (ty * TILE - y0) * scale, TILE * scale, TILE * scale);
        }
      }
    }
  }

  const MAJOR = new Set(["motorway", "trunk", "primary", "secondary", "tertiary"]);
  const MINOR = new Set(["footway", "path", "steps", "cycleway", "track", "bridleway", "corridor", "platform", "elevator", "service"]);
  function drawStreets() {
    if (!state.streets) return;
    for (const f of state.streets.features) {
      const c = f.properties.class;
      ctx.strokeStyle = MAJOR.has(c) ? "#9a8f7a" : MINOR.has(c) ? "#c9c4b8" : "#b3ab9a";
      ctx.lineWidth = MAJOR.has(c) ? 2 : MINOR.has(c) ? 0.6 : 1;
      ctx.setLineDash(MINOR.has(c) ? [3, 2] : []);
      ctx.beginPath();
      for (const line of f.geometry.coordinates) {
        line.forEach((pt, i) => {
          const s = toScreen(pt[0], pt[1]);
          if (i === 0) ctx.moveTo(s[0], s[1]); else ctx.lineTo(s[0], s[1]);
        });
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  function drawBands() {
    if (!state.iso) return;
    let drawn = 0;
    state.iso.features.forEach((f, i) => {
      const polys = f.geometry.coordinates;
      if (!polys.length) return;
      ctx.beginPath();
      for (const poly of polys) {
        for (const ring of poly) {
          ring.forEach((pt, k) => {
            const s = toScreen(pt[0], pt[1]);
            if (k === 0) ctx.moveTo(s[0], s[1]); else ctx.lineTo(s[0], s[1]);
          });
          ctx.closePath();
        }
      }
      ctx.globalAlpha = 0.45;
      ctx.fillStyle = state.colours[i];
      ctx.fill("evenodd");
      ctx.globalAlpha = 0.8;
      ctx.strokeStyle = state.colours[i];
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.globalAlpha = 1;
      drawn++;
    });
    canvas.dataset.bandsDrawn = String(drawn);
  }

  function drawSchools() {
    const seen = new Set();
    for (const r of state.results) {
      if (!r.reachable || seen.has(r.school.uai)) continue;
      seen.add(r.school.uai);
      const s = toScreen(r.school.lon, r.school.lat);
      const sel = state.selected === r.school.uai;
      ctx.beginPath();
      ctx.arc(s[0], s[1], sel ? 7 : 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = state.colours[r.band_index] || "#555";
      ctx.fill();
      ctx.lineWidth = sel ? 3 : 1.5;
      ctx.strokeStyle = sel ? "#1d3bbf" : "#fff";
      ctx.stroke();
    }
  }

  function drawOrigin() {
    if (!state.origin) return;
    const s = toScreen(state.origin[1], state.origin[0]);
    ctx.beginPath();
    ctx.arc(s[0], s[1], 6, 0, 2 * Math.PI);
    ctx.fillStyle = "#1d3bbf";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }

  function resize() {
    const r = dpr(), rect = canvas.getBoundingClientRect();
    canvas.width = Math.max(1, Math.round(rect.width * r));
    canvas.height = Math.max(1, Math.round(rect.height * r));
    draw();
  }

  // Streets of the view, fetched again after the view changes.
  let streetsTimer = 0;
  function scheduleStreets() {
    clearTimeout(streetsTimer);
    streetsTimer = setTimeout(loadStreets, 250);
  }
  async function loadStreets() {
    const b = viewBBox();
    const pad = [(b[2] - b[0]) * 0.25, (b[3] - b[1]) * 0.25];
    const q = [b[0] - pad[0], b[1] - pad[1], b[2] + pad[0], b[3] + pad[1]].map((v, i) =>
      Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5)).join(",");
    const key = q + "@" + Math.round(view.z * 2);
    if (key === state.streetsKey) return;
    try {
      const doc = await getJSON("/v1/streets?bbox=" + q);
      state.streets = doc;
      state.streetsKey = key;
      draw();
    } catch (e) {
      // The map still works without streets; say why.
      setStatus("Rues indisponibles : " + e.message, true);
    }
  }

  // Pointer: drag to pan, click to pick the origin, wheel to zoom.
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved) {
      view.x = drag.vx - dx;
      view.y = drag.vy - dy;
      draw();
    }
  });
  canvas.addEventListener("pointerup", (e) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    if (moved) { scheduleStreets(); return; }
    const rect = canvas.getBoundingClientRect();
    const ll = toLonLat(e.clientX - rect.left, e.clientY - rect.top);
    $("origin").value = ll[1].toFixed(5) + ", " + ll[0].toFixed(5);
    search();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    zoomAt(e.clientX - rect.left, e.clientY - rect.top, e.deltaY < 0 ? 0.5 : -0.5);
  }, { passive: false });
  $("zoom-in").addEventListener("click", () => zoomAt(canvas.width / dpr() / 2, canvas.height / dpr() / 2, 1));
  $("zoom-out").addEventListener("click", () => zoomAt(canvas.width / dpr() / 2, canvas.height / dpr() / 2, -1));
  window.addEventListener("resize", () => { resize(); scheduleStreets(); });

  // API.
  async function getJSON(url) {
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    const type = res.headers.get("Content-Type") || "";
    const doc = type.includes("json") ? await res.json() : null;
    if (!res.ok) {
      const err = new Error(doc && doc.detail ? doc.detail : res.status + " " + res.statusText);
      err.status = res.status;
      throw err;
    }
    return doc;
  }

  function setStatus(text, error) {
    const s = $("status");
    s.textContent = text;
    s.classList.toggle("error", !!error);
  }

  function parseOrigin(text) {
    const m = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)$/);
    if (!m) return null;
    const lat = parseFloat(m[1]), lon = parseFloat(m[2]);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return [lat, lon];
  }

  function routingQuery() {
    const max = parseInt($("max").value, 10);
    const cut = [15, 30, 45, 60, 90, 120].filter((c) => c < max).concat([max]);
    const modes = [...document.querySelectorAll("input[name=mode]:checked")].map((i) => i.value);
    const p = new URLSearchParams({
      lat: state.origin[0].toFixed(6), lon: state.origin[1].toFixed(6), arrive_by: $("arrive").value,
      max_minutes: String(max), modes: modes.join(","), cutoffs: cut.join(","),
    });
    return { p, cut };
  }

  // fitResults shows the drawn bands and the origin.
  function fitResults() {
    const b = [state.origin[1], state.origin[0], state.origin[1], state.origin[0]];
    const add = (pt) => {
      b[0] = Math.min(b[0], pt[0]); b[1] = Math.min(b[1], pt[1]);
      b[2] = Math.max(b[2], pt[0]); b[3] = Math.max(b[3], pt[1]);
    };
    if (state.iso) for (const f of state.iso.features) for (const poly of f.geometry.coordinates) poly[0].forEach(add);
    for (const r of state.results) if (r.reachable) add([r.school.lon, r.school.lat]);
    const pad = Math.max(b[2] - b[0], b[3] - b[1]) * 0.05 + 0.002;
    fit([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]);
    scheduleStreets();
  }

  async function search(refit) {
    const o = parseOrigin($("origin").value);
    if (!o) {
      setStatus("Adresse : tapez « latitude, longitude » (par exemple 48.1106, -1.6799) ou cliquez sur la carte.", true);
      return;
    }
    state.origin = o;
    const { p, cut } = routingQuery();
    const id = ++state.request;
    body.dataset.state = "loading";
    setStatus("Recherche…");
    draw();
    const reach = new URLSearchParams(p);
    reach.set("per_page", "500");
    const iso = new URLSearchParams(p);
    iso.set("rings", "true");
    try {
      const [answer, bands] = await Promise.all([
        getJSON("/v1/reachable?" + reach),
        getJSON("/v1/isochrone?" + iso).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
      ]);
      if (id !== state.request) return;
      state.colours = cut.map((_, i) => PALETTE[Math.round((i * (PALETTE.length - 1)) / Math.max(1, cut.length - 1))]);
      state.iso = bands;
      state.results = answer.results;
      state.selected = null;
      showResults(answer, cut);
      showLegend(answer.summary.bands);
      if (refit) fitResults();
      body.dataset.state = "done";
      setStatus(answer.summary.reachable_offers + " formations accessibles dans " + answer.summary.reachable_schools +
        " établissements (arrivée avant " + answer.summary.arrive_by.slice(0, 5) + ", " + answer.summary.date + ").");
      draw();
    } catch (e) {
      if (id !== state.request) return;
      body.dataset.state = "error";
      setStatus(e.message, true);
    }
  }

  function minutes(s) { return Math.round(s / 60) + " min"; }
  const MODALITY = {
    walk: "à pied", bike: "vélo", transit: "transports", "bike+transit": "vélo + transports",
    school: "car scolaire", none: "—",
  };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
    }
    for (const c of children) e.append(c);
    return e;
  }

  function showLegend(bands) {
    const l = $("legend");
    l.replaceChildren(...bands.map((b, i) => {
      const sw = el("span");
      sw.style.background = state.colours[i];
      return el("li", {}, sw, b.band + " min");
    }));
  }

  function showResults(answer, cut) {
    $("summary").replaceChildren(el("p", {}, answer.summary.bands.map((b) => b.band + " min : " + b.offers).join(" · ")));
    const groups = answer.summary.bands.map((b, i) => {
      const sw = el("span", { class: "swatch" });
      sw.style.background = state.colours[i];
      return { band: b, list: el("ul"), head: el("h3", {}, sw, b.band + " min (" + b.offers + ")") };
    });
    for (const r of answer.results) {
      if (!r.reachable || r.band_index >= groups.length) continue;
      const meta = [r.school.name, r.school.commune, minutes(r.duration_s), MODALITY[r.modality] || r.modality,
        "départ " + r.depart.slice(0, 5)].filter(Boolean).join(" · ");
      const li = el("li", { class: "offer", "data-uai": r.school.uai },
        el("button", { type: "button" }, el("span", { class: "label" }, r.offer.label + (r.offer.diploma ? " (" + r.offer.diploma + ")" : "")),
          el("span", { class: "meta" }, meta)));
      li.firstChild.addEventListener("click", () => toggleJourney(li, r));
      groups[r.band_index].list.append(li);
    }
    $("results").replaceChildren(...groups.filter((g) => g.list.children.length).map((g) =>
      el("section", { class: "band", "data-band": g.band.band }, g.head, g.list)));
    if (!answer.results.some((r) => r.reachable)) {
      $("results").replaceChildren(el("p", {}, "Aucune formation accessible avec ces critères."));
    }
  }

  async function toggleJourney(li, r) {
    const open = li.querySelector(".legs");
    if (open) { open.remove(); li.classList.remove("open"); state.selected = null; draw(); return; }
    li.classList.add("open");
    state.selected = r.school.uai;
    draw();
    const { p } = routingQuery();
    p.delete("cutoffs");
    p.set("uai", r.school.uai);
    const legs = el("ol", { class: "legs" }, el("li", {}, "Calcul du trajet…"));
    li.append(legs);
    try {
      const j = await getJSON("/v1/journey?" + p);
      legs.replaceChildren(...j.legs.map((l) => {
        const what = l.mode === "walk" ? "marche " + Math.round(l.distance_m || 0) + " m"
          : l.mode === "bike" ? "vélo " + Math.round(l.distance_m || 0) + " m"
          : (l.school_bus ? "car scolaire " : l.mode + " ") + (l.line || "") + (l.headsign ? " → " + l.headsign : "");
        return el("li", { "data-mode": l.mode }, el("span", { class: "mode" }, l.depart.slice(0, 5)),
          what + " : " + l.from + " → " + l.to + " (arrivée " + l.arrive.slice(0, 5) + ")");
      }));
    } catch (e) {
      legs.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  $("search").addEventListener("submit", (e) => { e.preventDefault(); search(true); });

  // Start: fit the graph's area, draw its streets.
  async function start() {
    resize();
    try {
      const g = await getJSON("/v1/graph");
      fit(g.map_bbox || g.bbox);
      $("attribution").textContent = "Rues : OpenStreetMap (ODbL) · graphe " + g.build_id + " du " + g.date;
      await loadStreets();
      body.dataset.state = "ready";
      const q = new URLSearchParams(location.search);
      if (q.has("lat") && q.has("lon")) {
        $("origin").value = q.get("lat") + ", " + q.get("lon");
        search(true);
      }
    } catch (e) {
      body.dataset.state = "error";
      setStatus("Le service n'est pas prêt : " + e.message, true);
    }
    draw();
  }
  start();
})();
