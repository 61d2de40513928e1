package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"reach/engine"
)

// Problem is an RFC 9457 problem detail, the body of every error answer
// (media type application/problem+json).
type Problem struct {
	Type     string `json:"type"` // URI reference naming the kind of problem
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"` // path of the request
	// Param names the query parameter at fault, when there is one.
	Param string `json:"param,omitempty"`
	// InvalidParams lists every parameter at fault with its reason.
	InvalidParams []InvalidParam `json:"invalid_params,omitempty"`
	// RetryAfter, in seconds, is also sent as the Retry-After header.
	RetryAfter int `json:"retry_after,omitempty"`
}

// InvalidParam is one parameter at fault in a Problem.
type InvalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string {
	if p.Param != "" {
		return p.Param + ": " + p.Detail
	}
	return p.Title + ": " + p.Detail
}

// Problem types. They are URNs: stable names, not pages to fetch.
const (
	typeInvalidParam = "urn:reach:problem:invalid-parameter"
	typeUnknownParam = "urn:reach:problem:unknown-parameter"
	typeNotFound     = "urn:reach:problem:not-found"
	typeNotReachable = "urn:reach:problem:not-reachable"
	typeNoRoute      = "urn:reach:problem:no-such-route"
	typeMethod       = "urn:reach:problem:method-not-allowed"
	typeOverloaded   = "urn:reach:problem:overloaded"
	typeTimeout      = "urn:reach:problem:timeout"
	typeNotReady     = "urn:reach:problem:not-ready"
	typeUnauthorized = "urn:reach:problem:unauthorized"
	typeReload       = "urn:reach:problem:reload-refused"
	typeNoCells      = "urn:reach:problem:no-cells"
	typeInternal     = "urn:reach:problem:internal"
)

// Bounds of what a problem echoes from the request, so that a huge value
// (a 100 kB parameter, a 1 MB path, thousands of unknown parameters) never
// makes a huge answer.
const (
	maxEcho   = 200  // bytes of one echoed value: a parameter's name or value, a path, a method
	maxListed = 10   // entries of invalid_params
	maxDetail = 1000 // bytes of the detail sentence
)

// clipEcho cuts s to at most maxEcho bytes, at a UTF-8 boundary, marking
// the cut with an ellipsis.
func clipEcho(s string) string { return clipBytes(s, maxEcho) }

// clipBytes cuts s to at most n bytes, at a UTF-8 boundary, marking the
// cut with an ellipsis.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// bounded returns a copy of p whose echoed parts are cut to their bounds:
// the last guard before an answer, whoever built the problem.
func (p *Problem) bounded() Problem {
	q := *p
	q.Detail = clipBytes(q.Detail, maxDetail)
	q.Param = clipEcho(q.Param)
	q.Instance = clipEcho(q.Instance)
	if len(q.InvalidParams) > maxListed {
		q.InvalidParams = q.InvalidParams[:maxListed]
	}
	if q.InvalidParams != nil {
		q.InvalidParams = slices.Clone(q.InvalidParams)
		for i, ip := range q.InvalidParams {
			q.InvalidParams[i] = InvalidParam{clipEcho(ip.Name), clipEcho(ip.Reason)}
		}
	}
	return q
}

// paramProblem is a 400 naming one parameter.
func paramProblem(name, detail string) *Problem {
	return &Problem{Type: typeInvalidParam, Title: "Invalid parameter", Status: http.StatusBadRequest,
		Detail: name + ": " + detail, Param: name, InvalidParams: []InvalidParam{{name, detail}}}
}

// problemOf turns an error of a handler into the problem to answer.
func problemOf(err error) *Problem {
	var p *Problem
	var nf *engine.NotFoundError
	if pe, ok := asParamError(err); ok {
		return problemOfParam(pe)
	}
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &nf):
		return &Problem{Type: typeNotFound, Title: "Not found", Status: http.StatusNotFound,
			Detail: nf.Error(), Param: nf.Param, InvalidParams: []InvalidParam{{nf.Param, fmt.Sprintf("%q not found in this graph", clipEcho(nf.Value))}}}
	case errors.Is(err, engine.ErrNoCells):
		return &Problem{Type: typeNoCells, Title: "No isochrones for this graph", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, engine.ErrNotReachable):
		return &Problem{Type: typeNotReachable, Title: "Not reachable", Status: http.StatusNotFound,
			Detail: "no journey reaches this school within the limits of the request (max_minutes, modes, max_walk, arrive_by)"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Problem{Type: typeTimeout, Title: "Request timed out", Status: http.StatusServiceUnavailable,
			Detail: "the request took longer than the server's time limit", RetryAfter: 1}
	}
	return &Problem{Type: typeInternal, Title: "Internal server error", Status: http.StatusInternalServerError,
		Detail: "the server failed to answer; the error is logged"}
}

// writeProblem sends p as application/problem+json, its echoes of the
// request bounded.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	q := *p
	q.Instance = r.URL.Path
	q = q.bounded()
	body, err := json.Marshal(&q)
	if err != nil { // cannot happen: the fields are plain strings and ints
		body = []byte(`{"type":"` + typeInternal + `","status":500}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	if q.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(q.RetryAfter))
	}
	w.WriteHeader(q.Status)
	w.Write(append(body, '\n'))
}

// writeError answers err as a problem, logging the unexpected ones.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemOf(err)
	if p.Status >= 500 && p.Type == typeInternal {
		log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	writeProblem(w, r, p)
}
