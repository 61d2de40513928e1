package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"reach/engine"
)

// problemOfParam turns a parameter error of the engine's parser into a 400
// problem naming the parameter.
func problemOfParam(pe *engine.ParamError) *Problem {
	if len(pe.Unknown) > 0 {
		return unknownProblem(pe.Unknown, nil)
	}
	return paramProblem(clipEcho(pe.Param), pe.Detail)
}

// requestProblem is the problem of a request its route's parser refused;
// accepted are the route's parameters.
func requestProblem(err error, accepted []engine.Param) *Problem {
	if pe, ok := asParamError(err); ok && len(pe.Unknown) > 0 {
		return unknownProblem(pe.Unknown, accepted)
	}
	return problemOf(err)
}

// unknownProblem is a 400 naming the first unknown parameters (at most
// maxListed, each cut to maxEcho bytes) and, when given, those the route
// accepts.
func unknownProblem(unknown []string, accepted []engine.Param) *Problem {
	names := make([]string, 0, min(len(unknown), maxListed))
	for _, u := range unknown[:min(len(unknown), maxListed)] {
		names = append(names, clipEcho(u))
	}
	detail := "unknown parameter " + strings.Join(names, ", ")
	if more := len(unknown) - len(names); more > 0 {
		detail += fmt.Sprintf(" and %d more", more)
	}
	if len(accepted) > 0 {
		ok := make([]string, len(accepted))
		for i, a := range accepted {
			ok[i] = a.Name
		}
		detail += " (accepted: " + strings.Join(ok, ", ") + ")"
	}
	p := &Problem{Type: typeUnknownParam, Title: "Unknown parameter", Status: http.StatusBadRequest, Param: names[0], Detail: detail}
	for _, n := range names {
		p.InvalidParams = append(p.InvalidParams, InvalidParam{n, "unknown parameter"})
	}
	return p
}

// asParamError finds a parameter error in err.
func asParamError(err error) (*engine.ParamError, bool) {
	var pe *engine.ParamError
	ok := errors.As(err, &pe)
	return pe, ok
}
