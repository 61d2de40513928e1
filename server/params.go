package server

import (
	"errors"
	"net/http"

	"reach/engine"
)

// problemOfParam turns a parameter error of the engine's parser into a 400
// problem naming the parameter.
func problemOfParam(pe *engine.ParamError) *Problem {
	if len(pe.Unknown) > 0 {
		p := &Problem{Type: typeUnknownParam, Title: "Unknown parameter", Status: http.StatusBadRequest,
			Param: pe.Param, Detail: pe.Detail}
		for _, u := range pe.Unknown {
			p.InvalidParams = append(p.InvalidParams, InvalidParam{u, "unknown parameter"})
		}
		return p
	}
	return paramProblem(pe.Param, pe.Detail)
}

// asParamError finds a parameter error in err.
func asParamError(err error) (*engine.ParamError, bool) {
	var pe *engine.ParamError
	ok := errors.As(err, &pe)
	return pe, ok
}
