package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// cdrRecord is one call detail record: the CDR-6 fields a SIP-to-SIP proxy
// knows, written as one JSON object per line.
type cdrRecord struct {
	UUID                 string `json:"uuid"`
	ServiceUUID          string `json:"service_uuid"`
	Active               string `json:"active"`
	InitialCall          string `json:"initial_call"`
	Licensed             string `json:"licensed"`
	LicensedAsTraversal  string `json:"licensed_as_traversal"`
	Status               string `json:"status"`
	Tag                  string `json:"tag"`
	BoxCallSerialNumber  string `json:"box_call_serial_number"`
	StartTime            string `json:"start_time"`
	EndTime              string `json:"end_time"`
	SourceAlias          string `json:"source_alias"`
	DestinationAlias     string `json:"destination_alias"`
	AsideRequestURI      string `json:"aside_request_uri"`
	BsideRequestURI      string `json:"bside_request_uri"`
	Protocol             string `json:"protocol"`
	ProtocolSummary      string `json:"protocol_summary"`
	MediaRouted          string `json:"media_routed"`
	Audio                string `json:"audio"`
	DisconnectReason     string `json:"disconnect_reason"`
	Duration             int64  `json:"duration"`
	LastUpdatedTimestamp int64  `json:"last_updated_timestamp"`
}

const cdrTime = "2006-01-02 15:04:05.000000"

type cdrWriter struct {
	mu      sync.Mutex
	f       *os.File
	service string
}

func openCDR(path string) (*cdrWriter, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("edge: cdr file: %w", err)
	}
	return &cdrWriter{f: f, service: sip.NewCallID()}, nil
}

func (w *cdrWriter) write(r cdrRecord) error {
	if w == nil {
		return nil
	}
	r.ServiceUUID, r.Active, r.InitialCall, r.Licensed, r.LicensedAsTraversal = w.service, "false", "true", "false", "false"
	r.Protocol, r.ProtocolSummary, r.MediaRouted, r.Audio = "SIP <-> SIP", "SIP <-> SIP", "false", "false"
	r.LastUpdatedTimestamp = time.Now().Unix()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.f.Write(append(b, '\n'))
	return err
}

func (w *cdrWriter) Close() error {
	if w == nil {
		return nil
	}
	return w.f.Close()
}
