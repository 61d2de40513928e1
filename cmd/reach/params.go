package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"reach/engine"
)

// paramFlags are the flags of a command's request parameters, one per
// engine.Param: the same names with dashes, the same defaults and help.
// The values set on the command line go to the engine's parser, which
// checks them exactly as it checks the HTTP API's query parameters.
type paramFlags struct {
	fs      *flagSet
	strings map[string]*string
	bools   map[string]*bool
}

// flagName is the CLI flag of a parameter: "arrive_by" → "arrive-by".
func flagName(param string) string { return strings.ReplaceAll(param, "_", "-") }

// addParamFlags registers one flag per parameter on fs.
func addParamFlags(fs *flagSet, params []engine.Param) *paramFlags {
	pf := &paramFlags{fs: fs, strings: map[string]*string{}, bools: map[string]*bool{}}
	for _, p := range params {
		doc := p.Doc
		if p.Required {
			doc += " (required)"
		}
		if p.Type == "boolean" {
			pf.bools[p.Name] = fs.Bool(flagName(p.Name), p.Default == "true", doc)
		} else {
			pf.strings[p.Name] = fs.String(flagName(p.Name), p.Default, doc)
		}
		for _, a := range p.Aliases {
			alias := "same as --" + flagName(p.Name)
			if p.Type == "boolean" {
				pf.bools[a] = fs.Bool(flagName(a), p.Default == "true", alias)
			} else {
				pf.strings[a] = fs.String(flagName(a), p.Default, alias)
			}
		}
	}
	return pf
}

// values returns the parameters set on the command line, as the engine's
// parsers read them; flags left at their defaults are absent, so that the
// parser applies the defaults (some depend on other parameters).
func (pf *paramFlags) values() url.Values {
	v := url.Values{}
	pf.fs.Visit(func(f *flag.Flag) {
		name := strings.ReplaceAll(f.Name, "-", "_")
		if s, ok := pf.strings[name]; ok {
			v.Set(name, *s)
		} else if b, ok := pf.bools[name]; ok {
			v.Set(name, fmt.Sprint(*b))
		}
	})
	return v
}

// flagError names the flag of a parameter error ("--arrive-by: …"); other
// errors pass unchanged.
func flagError(err error) error {
	var pe *engine.ParamError
	if errors.As(err, &pe) {
		return fmt.Errorf("--%s: %s", flagName(pe.Param), strings.TrimPrefix(pe.Detail, pe.Param+": "))
	}
	return err
}
