// Colours of the map. server/palette_test.go reads this file and checks
// the figures written here: keep one colour per line, as "#rrggbb".

// The map's own background (no tile server).
export const MAP_BACKGROUND = "#fbfbf8";

// Travel-time bands, shortest first: 0–15, 15–30, 30–45, 45–60, 60–90,
// 90–120 minutes. The first six of viridis' ten steps, a sequential
// palette made for readers with a colour-vision deficiency, stopping
// before its light greens and yellow, which vanish on a light map.
// Drawn opaque on the background, each band's contrast with it
// (WCAG 2 ratio) is 14.7, 10.9, 8.0, 5.8, 4.3 and 3.2 to 1: all at least
// the 3:1 asked of graphics. Lightness rises band after band (CIELAB L*
// 15, 25, 33, 42, 50, 59), and neighbouring bands differ by at least
// 9.3 ΔE2000 (7.5 for protanopia, 5.8 for deuteranopia, 8.5 for
// tritanopia, simulated after Machado, Oliveira and Fernandes 2009).
export const BAND_COLOURS = [
  "#440154",
  "#482878",
  "#3e4989",
  "#31688e",
  "#26828e",
  "#1f9e89",
];

// Opacity of the bands: opaque on the page's own background (the figures
// above); over raster tiles, translucent so that the tiles show.
export const BAND_ALPHA = 1;
export const BAND_ALPHA_TILES = 0.6;

// Streets: on the background, and drawn over the bands.
export const STREET_MAJOR = "#9a8f7a";
export const STREET = "#b3ab9a";
export const STREET_MINOR = "#c9c4b8";
export const STREET_ON_BAND = "rgba(255, 255, 255, 0.45)";

// The journey and the markers: near-black with a white casing, visible on
// the background and on every band.
export const INK = "#111111";
export const CASING = "#ffffff";
