// Package raptor computes earliest arrivals over a one-day timetable with
// RAPTOR (Delling, Pajor, Werneck 2012) and its range variant rRAPTOR (as in
// R5): one-to-all searches from a set of source stops, per-minute results
// over a departure window, target evaluation for reachability and journey
// reconstruction.
//
// # Journey model
//
// A journey starts at a source stop at the source's time. If
// WalkFromSources is set it may first walk one footpath from the source to
// another stop. It then takes vehicle trips: boarding is allowed at a route
// position without graph.NoPickup and alighting at a later position without
// graph.NoDropoff, on any route (school-bus routes, whose line is a school
// line, only when AllowSchool is set). Between two trips the passenger
// either changes at the stop where they alighted, or walks exactly one
// footpath to another stop:
//
//   - changing at the stop s where the previous trip arrived at time a
//     requires the next departure d ≥ a + max(StopMinTransfer[s], MinChange);
//   - after a footpath of f seconds from the stop where the previous trip
//     arrived at time a, the next departure from the footpath's end only
//     needs d ≥ a + f (the footpath time already includes the transfer time);
//   - the first trip boards at a source with time t if d ≥ t, or at the end
//     of a source footpath if d ≥ t + f.
//
// After the last trip the journey may walk one more footpath. Footpaths are
// never chained: at most one footpath separates two trips, follows the
// source, or follows the last trip.
//
// The arrival at a stop is the arrival of the last trip there, or the end of
// a footpath, or the source time for a source. For every stop the router
// finds the earliest arrival over all journeys with at most MaxTransfers+1
// trips, and the smallest number of trips among the journeys achieving it.
//
// # Rounds
//
// Round k holds, per stop, three labels that are exact for journeys of at
// most k trips: the earliest arrival by a vehicle, the earliest arrival of
// any kind, and the earliest time a trip can be boarded there (the vehicle
// arrival plus the stop's change time, or a footpath or source arrival).
// Round k scans the routes serving the stops whose boarding time improved in
// round k−1 and boards with the round k−1 boarding times only; then every
// stop whose vehicle arrival improved in round k relaxes its footpaths once.
// Round 0 holds the sources and, with WalkFromSources, their footpaths.
//
// # Range queries
//
// A range query runs the search for every departure minute of a window,
// latest first, keeping the round labels of the later minute: they are
// valid for an earlier departure by waiting at the origin, so each minute
// only marks its sources and propagates what improves. The per-minute
// results are identical to separate plain searches (the tests check it).
//
// # Memory
//
// A Router is read-only and safe for concurrent use. Each query borrows a
// scratch space from a pool (labels per round as flat int32 arrays, bit
// sets, a route queue); results read that memory until Release returns it.
// In steady state a query allocates nothing.
package raptor
