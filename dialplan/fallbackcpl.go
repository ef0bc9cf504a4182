package dialplan

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// ParseFallbackCPL turns a policy service's DefaultCPL into the Decision it
// stands for (DP-4). The dial plan does not interpret CPL; this reads only
// the fallback forms: <reject status= reason=/>, <proxy/>, and
// <location url=/> (one or more, a redirect), optionally inside
// <cpl><incoming>... wrappers.
func ParseFallbackCPL(s string) (Decision, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	var (
		locs   []string
		proxy  bool
		reject *Decision
		any    bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Decision{}, fmt.Errorf("default CPL: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		any = true
		attr := func(name string) string {
			for _, a := range se.Attr {
				if strings.EqualFold(a.Name.Local, name) {
					return a.Value
				}
			}
			return ""
		}
		switch strings.ToLower(se.Name.Local) {
		case "reject":
			d := Decision{Action: RejectCall, Status: 403, Reason: attr("reason")}
			if st := attr("status"); st != "" {
				n, err := strconv.Atoi(st)
				if err != nil || n < 300 || n > 699 {
					return Decision{}, fmt.Errorf("default CPL: reject status %q is not a 3xx-6xx code", st)
				}
				d.Status = n
			}
			if reject == nil {
				reject = &d
			}
		case "proxy":
			proxy = true
		case "location":
			u := attr("url")
			if u == "" {
				return Decision{}, errors.New("default CPL: location without url")
			}
			a, err := pattern.ParseAlias(u)
			if err != nil {
				return Decision{}, fmt.Errorf("default CPL: location url %q: %w", u, err)
			}
			locs = append(locs, a.Value)
		}
	}
	switch {
	case reject != nil:
		return *reject, nil
	case len(locs) > 0:
		return Decision{Action: Redirect, Aliases: locs}, nil
	case proxy:
		return Decision{Action: Proxy}, nil
	case !any:
		return Decision{}, errors.New("default CPL: empty")
	}
	return Decision{}, errors.New("default CPL: no reject, proxy or location action")
}
