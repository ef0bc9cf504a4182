package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The operator's registration views and actions over HTTP (SIP-58,
// SIP-60): registrations by device and by alias, the history of ended
// registrations, removal of an AOR, one binding or a device, and
// "unregister and block" (DenyList policy only).
//
//	GET  /registrations/devices
//	GET  /registrations/aliases
//	GET  /registrations/history
//	POST /registrations/remove   aor=... [key=...] | device=...
//	POST /registrations/block    aor=... (repeatable)
func (s *Server) operatorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /registrations/devices", func(w http.ResponseWriter, r *http.Request) {
		ds, err := s.reg.Devices(r.Context())
		writeJSON(w, ds, err)
	})
	mux.HandleFunc("GET /registrations/aliases", func(w http.ResponseWriter, r *http.Request) {
		as, err := s.reg.Aliases(r.Context())
		writeJSON(w, as, err)
	})
	mux.HandleFunc("GET /registrations/history", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.reg.History(), nil)
	})
	mux.HandleFunc("POST /registrations/remove", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		aor, key, dev := r.Form.Get("aor"), r.Form.Get("key"), r.Form.Get("device")
		var (
			n   int
			err error
		)
		switch {
		case dev != "":
			n, err = s.reg.RemoveDevice(r.Context(), dev)
		case aor != "" && key != "":
			var ok bool
			if ok, err = s.reg.RemoveBinding(r.Context(), aor, key); ok {
				n = 1
			}
		case aor != "":
			n, err = s.reg.Remove(r.Context(), aor)
		default:
			http.Error(w, "remove: give aor (and key) or device", http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]int{"removed": n}, err)
	})
	mux.HandleFunc("POST /registrations/block", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		aors := r.Form["aor"]
		if len(aors) == 0 {
			http.Error(w, "block: give at least one aor", http.StatusBadRequest)
			return
		}
		n, err := s.reg.UnregisterAndBlock(r.Context(), aors...)
		if err != nil {
			http.Error(w, "block: "+err.Error(), http.StatusConflict)
			return
		}
		writeJSON(w, map[string]int{"removed": n}, nil)
	})
}

func writeJSON(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, strings.TrimSpace(fmt.Sprint(err)), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
