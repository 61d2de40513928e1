// The map of the page, drawn on a canvas: the graph's own streets (raster
// tiles under them when the server was given a tile URL), the travel-time
// bands, the schools found, the origin and the journey chosen. It knows
// nothing of the API: the page gives it GeoJSON and points.
import * as palette from "./palette.js";

const TILE = 256;
const MIN_ZOOM = 3;
const MAX_ZOOM = 18;

// Web Mercator: world pixels at zoom z.
const worldSize = (z) => TILE * Math.pow(2, z);

export function project(lon, lat, z) {
  const s = worldSize(z);
  const sin = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [((lon + 180) / 360) * s, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * s];
}

export function unproject(x, y, z) {
  const s = worldSize(z);
  const n = Math.PI - (2 * Math.PI * y) / s;
  return [(x / s) * 360 - 180, (180 / Math.PI) * Math.atan(Math.sinh(n))];
}

const MAJOR = new Set(["motorway", "trunk", "primary", "secondary", "tertiary"]);
const MINOR = new Set(["footway", "path", "steps", "cycleway", "track", "bridleway", "corridor", "platform", "elevator", "service"]);

// A box [minLon, minLat, maxLon, maxLat] growing to hold points.
export class Box {
  constructor() { this.b = [Infinity, Infinity, -Infinity, -Infinity]; }
  add(lon, lat) {
    const b = this.b;
    b[0] = Math.min(b[0], lon); b[1] = Math.min(b[1], lat);
    b[2] = Math.max(b[2], lon); b[3] = Math.max(b[3], lat);
    return this;
  }
  get empty() { return !(this.b[0] <= this.b[2]); }
}

export class MapView {
  // options: tileURL; onPick(lon, lat) for a click beside the markers;
  // onSchool(uai) for a click on a school; onView() after the view moved.
  constructor(canvas, options) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.layer = document.createElement("canvas"); // the bands, composed apart
    this.opts = options;
    this.view = { x: 0, y: 0, z: 12 }; // centre in world pixels at zoom z
    this.streets = null;
    this.bands = null; // {features, rings}
    this.schools = []; // {uai, lon, lat, band, name}
    this.selected = "";
    this.origin = null; // {lon, lat}
    this.legs = []; // journey legs with their path
    this.tiles = new Map();
    this.pending = false;
    this.listen();
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  // Size of the canvas in CSS pixels.
  get width() { return this.canvas.clientWidth || 1; }
  get height() { return this.canvas.clientHeight || 1; }

  toScreen(lon, lat) {
    const p = project(lon, lat, this.view.z);
    return [p[0] - this.view.x + this.width / 2, p[1] - this.view.y + this.height / 2];
  }

  toLonLat(sx, sy) {
    return unproject(this.view.x + sx - this.width / 2, this.view.y + sy - this.height / 2, this.view.z);
  }

  // The box in view, [minLon, minLat, maxLon, maxLat].
  viewBox() {
    const a = this.toLonLat(0, this.height), b = this.toLonLat(this.width, 0);
    return [a[0], a[1], b[0], b[1]];
  }

  // fit shows a box inside margins of pad.top, .right, .bottom and .left
  // pixels, at most at zoom maxZoom.
  fit(box, pad, maxZoom = 16) {
    const w = Math.max(40, this.width - pad.left - pad.right), h = Math.max(40, this.height - pad.top - pad.bottom);
    // Extents double with each zoom level: the zoom where the box just fits.
    const p0 = project(box[0], box[1], 0), q0 = project(box[2], box[3], 0);
    const fits = Math.min(Math.log2(w / Math.max(q0[0] - p0[0], 1e-12)), Math.log2(h / Math.max(p0[1] - q0[1], 1e-12)));
    const z = Math.max(MIN_ZOOM, Math.min(maxZoom, fits));
    const p = project(box[0], box[1], z), q = project(box[2], box[3], z);
    // The box's centre at the centre of the area inside the margins.
    this.view = { x: (p[0] + q[0]) / 2 - (pad.left - pad.right) / 2, y: (p[1] + q[1]) / 2 - (pad.top - pad.bottom) / 2, z };
    this.changed();
  }

  // contains reports whether a box lies inside the view, pad pixels in.
  contains(box, pad = 16) {
    const a = this.toScreen(box[0], box[1]), b = this.toScreen(box[2], box[3]);
    return a[0] >= pad && b[0] <= this.width - pad && b[1] >= pad && a[1] <= this.height - pad;
  }

  zoomAt(sx, sy, dz) {
    const z = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, this.view.z + dz));
    const ll = this.toLonLat(sx, sy);
    const p = project(ll[0], ll[1], z);
    this.view = { x: p[0] - (sx - this.width / 2), y: p[1] - (sy - this.height / 2), z };
    this.changed();
  }

  pan(dx, dy) {
    this.view.x += dx;
    this.view.y += dy;
    this.changed();
  }

  changed() {
    this.draw();
    if (this.opts.onView) this.opts.onView();
  }

  setStreets(doc) { this.streets = doc; this.draw(); }
  setBands(doc, rings) { this.bands = doc ? { features: doc.features, rings } : null; this.draw(); }
  setSchools(list) { this.schools = list; this.draw(); }
  setSelected(uai) { this.selected = uai || ""; this.draw(); }
  setOrigin(o) { this.origin = o; this.draw(); }
  setJourney(legs) { this.legs = legs || []; this.draw(); }

  resize() {
    const r = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.layer]) {
      c.width = Math.max(1, Math.round(this.width * r));
      c.height = Math.max(1, Math.round(this.height * r));
    }
    this.draw();
  }

  draw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const ctx = this.ctx, r = window.devicePixelRatio || 1;
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.fillStyle = palette.MAP_BACKGROUND;
    ctx.fillRect(0, 0, this.width, this.height);
    if (this.opts.tileURL) this.drawTiles();
    const streets = this.streetPaths();
    this.strokeStreets(ctx, streets, false);
    let bands = 0;
    if (this.bands && this.bands.rings) bands = this.drawBandAreas(streets);
    else if (this.bands) bands = this.drawBandOutlines();
    const journey = this.drawJourney();
    this.drawSchools();
    this.drawOrigin();
    const d = this.canvas.dataset;
    d.bandsDrawn = String(bands);
    d.journeyLegs = String(journey.legs);
    d.journeyPoints = String(journey.points);
    d.schoolsDrawn = String(this.schools.length);
    d.view = this.viewBox().map((v) => v.toFixed(6)).join(",");
  }

  drawTiles() {
    const ctx = this.ctx;
    const z = Math.max(0, Math.min(19, Math.round(this.view.z)));
    const scale = Math.pow(2, this.view.z - z);
    const w = this.width, h = this.height;
    const x0 = (this.view.x - w / 2) / scale, y0 = (this.view.y - h / 2) / scale;
    const n = Math.pow(2, z);
    for (let tx = Math.floor(x0 / TILE); tx <= Math.floor((x0 + w / scale) / TILE); tx++) {
      for (let ty = Math.floor(y0 / TILE); ty <= Math.floor((y0 + h / scale) / TILE); ty++) {
        if (ty < 0 || ty >= n) continue;
        const x = ((tx % n) + n) % n;
        const key = z + "/" + x + "/" + ty;
        let img = this.tiles.get(key);
        if (!img) {
          img = new Image();
          img.crossOrigin = "anonymous";
          img.onload = () => this.draw();
          img.onerror = () => { img.failed = true; };
          img.src = this.opts.tileURL.replace("{z}", z).replace("{x}", x).replace("{y}", ty);
          this.tiles.set(key, img);
        }
        if (img.complete && !img.failed && img.naturalWidth > 0) {
          ctx.drawImage(img, (tx * TILE - x0) * scale, (ty * TILE - y0) * scale, TILE * scale, TILE * scale);
        }
      }
    }
  }

  // streetPaths projects the streets into three paths: major, ordinary
  // and minor ways.
  streetPaths() {
    const paths = { major: new Path2D(), street: new Path2D(), minor: new Path2D() };
    if (!this.streets) return paths;
    for (const f of this.streets.features) {
      const c = f.properties.class;
      const path = MAJOR.has(c) ? paths.major : MINOR.has(c) ? paths.minor : paths.street;
      for (const line of f.geometry.coordinates) {
        line.forEach((pt, i) => {
          const s = this.toScreen(pt[0], pt[1]);
          if (i === 0) path.moveTo(s[0], s[1]); else path.lineTo(s[0], s[1]);
        });
      }
    }
    return paths;
  }

  // strokeStreets draws the street paths, in their colours or, over the
  // bands, in translucent white.
  strokeStreets(ctx, paths, onBands) {
    const styles = [
      [paths.major, palette.STREET_MAJOR, 2, []],
      [paths.street, palette.STREET, 1, []],
      [paths.minor, palette.STREET_MINOR, 0.7, [3, 2]],
    ];
    for (const [path, colour, width, dash] of styles) {
      ctx.strokeStyle = onBands ? palette.STREET_ON_BAND : colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.stroke(path);
    }
    ctx.setLineDash([]);
  }

  bandPath(f) {
    const path = new Path2D();
    for (const poly of f.geometry.coordinates) {
      for (const ring of poly) {
        ring.forEach((pt, k) => {
          const s = this.toScreen(pt[0], pt[1]);
          if (k === 0) path.moveTo(s[0], s[1]); else path.lineTo(s[0], s[1]);
        });
        path.closePath();
      }
    }
    return path;
  }

  // drawBandAreas fills the bands (disjoint rings) in their colours on a
  // layer, draws the streets over them there, and lays the layer on the
  // map. It returns the number of bands drawn.
  drawBandAreas(streets) {
    const r = window.devicePixelRatio || 1;
    const lc = this.layer.getContext("2d");
    lc.setTransform(1, 0, 0, 1, 0, 0);
    lc.clearRect(0, 0, this.layer.width, this.layer.height);
    lc.setTransform(r, 0, 0, r, 0, 0);
    let drawn = 0;
    this.bands.features.forEach((f, i) => {
      if (!f.geometry.coordinates.length) return;
      lc.fillStyle = palette.BAND_COLOURS[Math.min(i, palette.BAND_COLOURS.length - 1)];
      lc.fill(this.bandPath(f), "evenodd");
      drawn++;
    });
    lc.globalCompositeOperation = "source-atop"; // streets only where bands are
    this.strokeStreets(lc, streets, true);
    lc.globalCompositeOperation = "source-over";
    const ctx = this.ctx;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = this.opts.tileURL ? palette.BAND_ALPHA_TILES : palette.BAND_ALPHA;
    ctx.drawImage(this.layer, 0, 0);
    ctx.restore();
    return drawn;
  }

  // drawBandOutlines draws the cumulative areas as contour lines, the
  // farthest first.
  drawBandOutlines() {
    const ctx = this.ctx;
    let drawn = 0;
    for (let i = this.bands.features.length - 1; i >= 0; i--) {
      const f = this.bands.features[i];
      if (!f.geometry.coordinates.length) continue;
      const path = this.bandPath(f);
      ctx.lineJoin = "round";
      ctx.strokeStyle = palette.CASING;
      ctx.lineWidth = 5;
      ctx.stroke(path);
      ctx.strokeStyle = palette.BAND_COLOURS[Math.min(i, palette.BAND_COLOURS.length - 1)];
      ctx.lineWidth = 3;
      ctx.stroke(path);
      drawn++;
    }
    return drawn;
  }

  // drawJourney draws the legs: walks dashed, cycling dotted, rides solid
  // with their stops as rings. It returns the legs and points drawn.
  drawJourney() {
    const ctx = this.ctx;
    let legs = 0, points = 0;
    const lines = [];
    for (const leg of this.legs) {
      if (!leg.path || leg.path.length < 2) continue;
      const pts = leg.path.map((p) => this.toScreen(p[0], p[1]));
      lines.push({ style: leg.mode === "walk" || leg.mode === "bike" ? leg.mode : "ride", pts });
      legs++;
      points += pts.length;
    }
    const stroke = (pts) => {
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
      ctx.stroke();
    };
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    const styles = { // casing width, line width, dashes, caps
      walk: [7, 3, [6, 6], "butt"],
      bike: [8, 4, [0.1, 7], "round"],
      ride: [9, 5, [], "round"],
    };
    for (const l of lines) { // casings first, so that lines join cleanly
      ctx.strokeStyle = palette.CASING;
      ctx.lineWidth = styles[l.style][0];
      stroke(l.pts);
    }
    for (const l of lines) {
      const [, width, dash, cap] = styles[l.style];
      ctx.strokeStyle = palette.INK;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.lineCap = cap;
      stroke(l.pts);
    }
    ctx.setLineDash([]);
    for (const l of lines) {
      if (l.style !== "ride") continue;
      l.pts.forEach((p, i) => {
        const end = i === 0 || i === l.pts.length - 1;
        ctx.beginPath();
        ctx.arc(p[0], p[1], end ? 5 : 2.5, 0, 2 * Math.PI);
        ctx.fillStyle = palette.CASING;
        ctx.fill();
        ctx.lineWidth = end ? 2.5 : 1.5;
        ctx.strokeStyle = palette.INK;
        ctx.stroke();
      });
    }
    return { legs, points };
  }

  drawSchools() {
    const ctx = this.ctx;
    const order = this.schools.filter((s) => s.uai !== this.selected);
    const sel = this.schools.find((s) => s.uai === this.selected);
    if (sel) order.push(sel); // the selected one on top
    for (const s of order) {
      const [x, y] = this.toScreen(s.lon, s.lat);
      const selected = s === sel;
      const r = selected ? 8 : 6;
      if (selected) {
        ctx.beginPath();
        ctx.arc(x, y, r + 5, 0, 2 * Math.PI);
        ctx.lineWidth = 3;
        ctx.strokeStyle = palette.INK;
        ctx.stroke();
      }
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = palette.BAND_COLOURS[Math.min(s.band, palette.BAND_COLOURS.length - 1)];
      ctx.fill();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = palette.CASING;
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x, y, r + 1.5, 0, 2 * Math.PI);
      ctx.lineWidth = 1;
      ctx.strokeStyle = palette.INK;
      ctx.stroke();
    }
  }

  drawOrigin() {
    if (!this.origin) return;
    const ctx = this.ctx;
    const [x, y] = this.toScreen(this.origin.lon, this.origin.lat);
    ctx.beginPath();
    ctx.arc(x, y, 9, 0, 2 * Math.PI);
    ctx.fillStyle = palette.CASING;
    ctx.fill();
    ctx.lineWidth = 3;
    ctx.strokeStyle = palette.INK;
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = palette.INK;
    ctx.fill();
  }

  // schoolAt returns the school whose marker is under a point, or null.
  schoolAt(sx, sy) {
    let best = null, bestD = 14 * 14;
    for (const s of this.schools) {
      const [x, y] = this.toScreen(s.lon, s.lat);
      const d = (x - sx) ** 2 + (y - sy) ** 2;
      if (d <= bestD) { best = s; bestD = d; }
    }
    return best;
  }

  // listen: drag to pan, click to pick a school or a new origin, wheel
  // and keys to zoom, arrows to pan.
  listen() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 5) drag.moved = true;
      if (drag.moved) {
        this.view.x = drag.vx - dx;
        this.view.y = drag.vy - dy;
        this.draw();
      }
    });
    c.addEventListener("pointerup", (e) => {
      if (!drag) return;
      const moved = drag.moved;
      drag = null;
      if (moved) { this.changed(); return; }
      const rect = c.getBoundingClientRect();
      const sx = e.clientX - rect.left, sy = e.clientY - rect.top;
      const school = this.schoolAt(sx, sy);
      if (school && this.opts.onSchool) { this.opts.onSchool(school.uai); return; }
      const ll = this.toLonLat(sx, sy);
      if (this.opts.onPick) this.opts.onPick(ll[0], ll[1]);
    });
    c.addEventListener("pointercancel", () => { drag = null; });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      this.zoomAt(e.clientX - rect.left, e.clientY - rect.top, e.deltaY < 0 ? 0.5 : -0.5);
    }, { passive: false });
    c.addEventListener("keydown", (e) => {
      const step = 80;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[e.key]) {
        this.pan(...moves[e.key]);
      } else if (e.key === "+" || e.key === "=") {
        this.zoomAt(this.width / 2, this.height / 2, 1);
      } else if (e.key === "-") {
        this.zoomAt(this.width / 2, this.height / 2, -1);
      } else {
        return;
      }
      e.preventDefault();
    });
  }
}
