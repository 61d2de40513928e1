package schools

import "math"

// Lambert-93 (EPSG:2154): Lambert conformal conic with two standard
// parallels on the GRS80 ellipsoid (RGF93 datum, which coincides with
// WGS84 to better than a metre, so no datum shift is applied).
const (
	l93A     = 6378137.0         // GRS80 semi-major axis, metres
	l93InvF  = 298.257222101     // GRS80 inverse flattening
	l93Lat1  = 49.0              // first standard parallel, degrees
	l93Lat2  = 44.0              // second standard parallel
	l93Lat0  = 46.5              // latitude of origin
	l93Lon0  = 3.0               // central meridian
	l93X0    = 700000.0          // false easting, metres
	l93Y0    = 6600000.0         // false northing
	l93Eps   = 1e-12             // convergence of the latitude iteration, radians
	l93Iters = 20                // bound on that iteration
	degRad   = math.Pi / 180     // degrees to radians
	halfPi   = math.Pi / 2       // 90° in radians
	quartPi  = math.Pi / 4       // 45° in radians
	l93F     = 1 / l93InvF       // flattening
	l93E2    = l93F * (2 - l93F) // first eccentricity squared
)

// lcc holds the derived constants of the projection.
type lcc struct {
	e, n, aF, rho0 float64
}

// lambert93 is computed once from the defining constants; it is never
// modified.
var lambert93 = newLCC()

func newLCC() lcc {
	e := math.Sqrt(l93E2)
	m := func(phi float64) float64 {
		s := math.Sin(phi)
		return math.Cos(phi) / math.Sqrt(1-l93E2*s*s)
	}
	t := func(phi float64) float64 {
		s := math.Sin(phi)
		return math.Tan(quartPi-phi/2) / math.Pow((1-e*s)/(1+e*s), e/2)
	}
	p1, p2, p0 := l93Lat1*degRad, l93Lat2*degRad, l93Lat0*degRad
	n := (math.Log(m(p1)) - math.Log(m(p2))) / (math.Log(t(p1)) - math.Log(t(p2)))
	aF := l93A * m(p1) / (n * math.Pow(t(p1), n))
	return lcc{e: e, n: n, aF: aF, rho0: aF * math.Pow(t(p0), n)}
}

// Lambert93ToWGS84 converts Lambert-93 (EPSG:2154) coordinates in metres
// to WGS84 latitude and longitude in degrees (Snyder's inverse of the
// ellipsoidal conformal conic, latitude by fixed-point iteration).
func Lambert93ToWGS84(x, y float64) (lat, lon float64) {
	p := &lambert93
	dx, dy := x-l93X0, p.rho0-(y-l93Y0)
	rho := math.Hypot(dx, dy) // n > 0
	theta := math.Atan2(dx, dy)
	t := math.Pow(rho/p.aF, 1/p.n)
	phi := halfPi - 2*math.Atan(t)
	for i := 0; i < l93Iters; i++ {
		s := p.e * math.Sin(phi)
		next := halfPi - 2*math.Atan(t*math.Pow((1-s)/(1+s), p.e/2))
		done := math.Abs(next-phi) < l93Eps
		phi = next
		if done {
			break
		}
	}
	return phi / degRad, theta/p.n/degRad + l93Lon0
}

// WGS84ToLambert93 converts WGS84 degrees to Lambert-93 metres (the
// forward projection, used to check the inverse).
func WGS84ToLambert93(lat, lon float64) (x, y float64) {
	p := &lambert93
	phi := lat * degRad
	s := p.e * math.Sin(phi)
	t := math.Tan(quartPi-phi/2) / math.Pow((1-s)/(1+s), p.e/2)
	rho := p.aF * math.Pow(t, p.n)
	theta := p.n * (lon - l93Lon0) * degRad
	return l93X0 + rho*math.Sin(theta), l93Y0 + p.rho0 - rho*math.Cos(theta)
}
