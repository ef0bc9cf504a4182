package dialplan

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// MaxConfigSize bounds the input of LoadConfig.
const MaxConfigSize = 16 << 20

// LoadConfig reads a dial plan from YAML or JSON (JSON is read as the YAML
// subset it is). Keys are the snake_case of the product's field names (see
// the package documentation for the schema); unknown keys and duplicate
// keys are errors. Entries start from the product's defaults, so a
// transform without "priority" gets 1, a search rule 100 and a zone a hop
// count of 15. The result is validated: the error reports every fault.
func LoadConfig(r io.Reader) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxConfigSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("dialplan: reading config: %w", err)
	}
	if len(data) > MaxConfigSize {
		return Config{}, fmt.Errorf("dialplan: config larger than %d bytes", MaxConfigSize)
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func decodeConfig(data []byte) (Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, fmt.Errorf("dialplan: config: %w", err)
	}
	if len(root.Content) == 0 {
		return Config{}, nil // empty document: empty dial plan
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return Config{}, errors.New("dialplan: config: the document must be a mapping")
	}
	// Put the defaults that have no zero value into every entry that does
	// not set them, then decode strictly.
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		switch key {
		case "transforms":
			addDefault(val, "priority", "1")
		case "search_rules":
			addDefault(val, "priority", "100")
		case "zones":
			addDefault(val, "hop_count", "15")
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return Config{}, fmt.Errorf("dialplan: config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	var cfg Config
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("dialplan: config: %w", err)
	}
	return cfg, nil
}

// addDefault adds key: value to every mapping in the sequence seq that
// lacks key.
func addDefault(seq *yaml.Node, key, value string) {
	if seq.Kind != yaml.SequenceNode {
		return
	}
	for _, m := range seq.Content {
		if m.Kind != yaml.MappingNode {
			continue
		}
		has := false
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				has = true
				break
			}
		}
		if !has {
			m.Content = append(m.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: value})
		}
	}
}
