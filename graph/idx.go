package graph

// Typed indices into the graph's parallel slices. Each is an int32, as
// stored in the file; the types keep a stop from being used where a route
// or a school is meant. -1 is "none" wherever a field says so.

// StopIdx indexes the timetable's stops (the Stop* slices of Timetable).
type StopIdx int32

// LineIdx indexes the timetable's lines, the GTFS routes (the Line* slices).
type LineIdx int32

// RouteIdx indexes the timetable's RAPTOR routes (the Route* slices).
type RouteIdx int32

// TripIdx indexes the timetable's trips (the Trip* slices), counted over
// all routes.
type TripIdx int32

// SchoolIdx indexes the training locations (the School* slices of Places).
type SchoolIdx int32

// OfferIdx indexes the training offers (the Offer* slices of Places).
type OfferIdx int32

// NodeIdx indexes the street nodes (the Node* slices of Streets).
type NodeIdx int32

// SegIdx indexes the street segments (the Seg* slices of Streets).
type SegIdx int32
