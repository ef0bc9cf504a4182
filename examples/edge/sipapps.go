package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip/proxy"
)

// proxyMode is the SIP registration proxy mode (SIP-59, SIP-81).
type proxyMode uint8

const (
	modeOff proxyMode = iota
	modeKnownOnly
	modeAny
)

func parseProxyMode(s string) (proxyMode, error) {
	switch strings.ToLower(s) {
	case "", "off":
		return modeOff, nil
	case "proxytoknownonly":
		return modeKnownOnly, nil
	case "proxytoany":
		return modeAny, nil
	}
	return modeOff, fmt.Errorf("proxy.mode: %q is not Off, ProxyToKnownOnly or ProxyToAny", s)
}

// SIPRouteConfig is one entry of proxy.sip_routes (SIP-89).
type SIPRouteConfig struct {
	Index              int    `yaml:"index"`
	Tag                string `yaml:"tag"`
	Method             string `yaml:"method"`
	RequestLinePattern string `yaml:"request_line_pattern"`
	HeaderName         string `yaml:"header_name"`
	HeaderPattern      string `yaml:"header_pattern"`
	Authenticated      bool   `yaml:"authenticated"`
	Address            string `yaml:"address"`
	Port               int    `yaml:"port"`      // default 5060
	Transport          string `yaml:"transport"` // default tcp
}

// ConferenceFactoryConfig is proxy.conference_factory (SIP-92).
type ConferenceFactoryConfig struct {
	Alias    string `yaml:"alias"`
	Template string `yaml:"template"` // "%%" becomes the next number
	Start    int    `yaml:"start"`
	End      int    `yaml:"end"`
}

func (c ProxyConfig) sipRoutes() []proxy.SIPRoute {
	out := make([]proxy.SIPRoute, 0, len(c.SIPRoutes))
	for _, r := range c.SIPRoutes {
		out = append(out, proxy.SIPRoute{Index: r.Index, Tag: r.Tag, Method: r.Method,
			RequestLinePattern: r.RequestLinePattern, HeaderName: r.HeaderName, HeaderPattern: r.HeaderPattern,
			Authenticated: r.Authenticated, Address: r.Address, Port: r.Port, Transport: r.Transport})
	}
	return out
}

func (c ProxyConfig) validate(facts *pattern.Facts) error {
	var errs []error
	if _, err := parseProxyMode(c.Mode); err != nil {
		errs = append(errs, err)
	}
	if len(c.SIPRoutes) > 0 {
		if _, err := proxy.CompileSIPRoutes(c.sipRoutes(), facts); err != nil {
			errs = append(errs, fmt.Errorf("proxy.sip_routes: %w", err))
		}
	}
	if f := c.ConferenceFactory; f != nil {
		if _, err := proxy.NewConferenceFactory(f.Alias, f.Template, f.Start, f.End); err != nil {
			errs = append(errs, fmt.Errorf("proxy.conference_factory: %w", err))
		}
	}
	if c.MonitorInterval < 0 {
		errs = append(errs, fmt.Errorf("proxy.monitor_interval: %v is negative", c.MonitorInterval))
	}
	return errors.Join(errs...)
}
