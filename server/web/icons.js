// Icons and French names of the ways of travelling. Icons are drawn as
// inline SVG (no font, no file to fetch) and always come with their text.

const SVG = "http://www.w3.org/2000/svg";

// Shapes on a 24 × 24 grid, stroked in the text colour.
const SHAPES = {
  walk: [["circle", { cx: 13, cy: 4.5, r: 2 }], ["path", { d: "M12.5 8 11 14l-3 6M11 14l3.5 2.5.5 4M8 11.5l3.5-3.5 4 2.5" }]],
  bus: [["rect", { x: 5, y: 3, width: 14, height: 15, rx: 2.5 }], ["path", { d: "M5 11h14M8 18v2.5M16 18v2.5M8.5 14.5h.01M15.5 14.5h.01" }]],
  schoolbus: [["rect", { x: 2, y: 6, width: 20, height: 10, rx: 2 }], ["path", { d: "M2 11h20M8 6v5M14 6v5" }],
    ["circle", { cx: 7, cy: 17.5, r: 2 }], ["circle", { cx: 17, cy: 17.5, r: 2 }]],
  tram: [["rect", { x: 6, y: 7, width: 12, height: 12, rx: 2.5 }], ["path", { d: "M9 3h6M12 3v4M6 13h12M8 19l-2 2.5M16 19l2 2.5" }]],
  rail: [["path", { d: "M8 3h8a3 3 0 0 1 3 3v10a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6a3 3 0 0 1 3-3zM5 11h14M8 18l-2 3.5M16 18l2 3.5" }]],
  subway: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M8.5 16V8.5l3.5 4.5 3.5-4.5V16" }]],
  ferry: [["path", { d: "M3 15l2 4h14l2-4zM6 15V9h12v6M12 5v4" }]],
  cable: [["path", { d: "M3 4l18 5M12 6.5V10" }], ["rect", { x: 7, y: 10, width: 10, height: 9, rx: 2 }], ["path", { d: "M7 14h10" }]],
  bike: [["circle", { cx: 6, cy: 16, r: 3.5 }], ["circle", { cx: 18, cy: 16, r: 3.5 }],
    ["path", { d: "M6 16l4-7h6l2 7M10 9l3 7 3-7M8.5 6.5H11M15 6h2.5" }]],
  other: [["circle", { cx: 12, cy: 12, r: 8.5 }], ["path", { d: "M8 12h8M13 8.5l3.5 3.5-3.5 3.5" }]],
};

// icon returns an SVG element showing a shape; it is hidden from
// assistive technologies, the text beside it says the same.
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [tag, attrs] of SHAPES[name] || SHAPES.other) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

// How a school is reached (the modality of /v1/reachable), with icons.
// An unknown modality is shown under its own name.
const MODALITIES = {
  walk: { text: "à pied", icons: ["walk"] },
  transit: { text: "transports en commun", icons: ["bus"] },
  school: { text: "car scolaire", icons: ["schoolbus"] },
  bike: { text: "à vélo", icons: ["bike"] },
  "bike+transit": { text: "vélo et transports en commun", icons: ["bike", "bus"] },
  none: { text: "pas de trajet", icons: [] },
};

export function modality(name) {
  return MODALITIES[name] || { text: String(name || "").replace(/[_+]/g, " "), icons: ["other"] };
}

// The vehicles of a journey's legs (GTFS modes), with icons.
const MODES = {
  walk: { text: "À pied", icon: "walk" },
  bike: { text: "À vélo", icon: "bike" },
  bus: { text: "Bus", icon: "bus" },
  trolleybus: { text: "Trolleybus", icon: "bus" },
  tram: { text: "Tram", icon: "tram" },
  cable_tram: { text: "Tram à câble", icon: "tram" },
  subway: { text: "Métro", icon: "subway" },
  monorail: { text: "Monorail", icon: "subway" },
  rail: { text: "Train", icon: "rail" },
  ferry: { text: "Bateau", icon: "ferry" },
  aerial_lift: { text: "Téléphérique", icon: "cable" },
  funicular: { text: "Funiculaire", icon: "cable" },
};

export function legMode(leg) {
  if (leg.school_bus) return { text: "Car scolaire", icon: "schoolbus" };
  const m = MODES[leg.mode];
  if (m) return m;
  const name = String(leg.mode || "véhicule").replace(/_/g, " ");
  return { text: name.charAt(0).toUpperCase() + name.slice(1), icon: "other" };
}
