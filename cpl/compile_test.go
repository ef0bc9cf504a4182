package cpl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const docHead = `<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions"><taa:routed>`
const docTail = `</taa:routed></cpl>`

func doc(body string) string { return docHead + body + docTail }

func compileErrs(t *testing.T, src string, opts ...Option) ErrorList {
	t.Helper()
	p, err := Compile([]byte(src), opts...)
	if err == nil {
		t.Fatalf("compiled, want errors: %s", src)
	}
	if p != nil {
		t.Fatalf("program returned with an error")
	}
	var l ErrorList
	if !errors.As(err, &l) {
		t.Fatalf("error %T is not an ErrorList: %v", err, err)
	}
	var ce *CompileError
	if !errors.As(err, &ce) || ce != l[0] {
		t.Fatalf("errors.As does not find the first *CompileError")
	}
	return l
}

func hasCode(l ErrorList, c Code) bool {
	for _, e := range l {
		if e.Code == c {
			return true
		}
	}
	return false
}

// CPL-2, CPL-3, T2: every unsupported element is refused, naming the
// element and where it is.
func TestUnsupportedElements(t *testing.T) {
	nodes := map[string]string{
		"time-switch":     `<time-switch><time dtstart="20240101T000000" duration="PT1H"><proxy/></time></time-switch>`,
		"string-switch":   `<string-switch field="subject"><string is="x"><proxy/></string></string-switch>`,
		"language-switch": `<language-switch><language matches="en"><proxy/></language></language-switch>`,
		"priority-switch": `<priority-switch><priority equal="urgent"><proxy/></priority></priority-switch>`,
		"redirect":        `<redirect/>`,
		"mail":            `<mail url="mailto:a@example.com"><proxy/></mail>`,
		"log":             `<log name="x"><proxy/></log>`,
		"sub":             `<sub ref="x"/>`,
		"lookup":          `<lookup source="registration"><success><proxy/></success></lookup>`,
		"remove-location": `<remove-location location="sip:a@example.com"><proxy/></remove-location>`,
	}
	for name, body := range nodes {
		l := compileErrs(t, doc("\n"+body))
		e := l[0]
		if e.Code != CodeUnsupported || !strings.Contains(e.Msg, name) || e.Line != 2 || e.Column != 1 {
			t.Errorf("%s: %v", name, e)
		}
		if e.Path != "/cpl/taa:routed/"+name+"[1]" {
			t.Errorf("%s: path %q", name, e.Path)
		}
		// The same element nested deeper, and as a fragment.
		l = compileErrs(t, doc(`<address-switch field="destination"><address is="a">`+body+`</address></address-switch>`))
		if l[0].Code != CodeUnsupported || !strings.Contains(l[0].Path, "/address[1]/"+name+"[1]") {
			t.Errorf("%s nested: %v", name, l[0])
		}
		l = compileErrs(t, body)
		if l[0].Code != CodeUnsupported {
			t.Errorf("%s fragment: %v", name, l[0])
		}
		// The RFC dialect accepts it (BX-2).
		if name != "sub" {
			if _, err := Compile([]byte(body), RFC3880); err != nil {
				t.Errorf("%s under RFC3880: %v", name, err)
			}
		}
	}
	for _, top := range []string{"incoming", "outgoing", "subaction"} {
		src := `<cpl xmlns="urn:ietf:params:xml:ns:cpl"><` + top + `><proxy/></` + top + `></cpl>`
		if top == "subaction" {
			src = `<cpl xmlns="urn:ietf:params:xml:ns:cpl"><subaction id="a"><proxy/></subaction></cpl>`
		}
		l := compileErrs(t, src)
		if l[0].Code != CodeUnsupported || !strings.Contains(l[0].Msg, top) {
			t.Errorf("%s: %v", top, l[0])
		}
	}
}

// CPL-5, CPL-7, BX-4: structural faults, each with its stable code, line,
// column and path; all of them reported at once.
func TestStructuralErrors(t *testing.T) {
	cases := []struct {
		name, body string
		code       Code
		path       string
	}{
		{"two children", `<address-switch field="destination"><address is="a"><proxy/><reject/></address></address-switch>`, CodeChildCount, "/cpl/taa:routed/address-switch[1]/address[1]/reject[1]"},
		{"two children in routed", `<proxy/><reject/>`, CodeChildCount, "/cpl/taa:routed/reject[1]"},
		{"unknown element", `<frobnicate/>`, CodeUnknownElement, "/cpl/taa:routed/frobnicate[1]"},
		{"unknown attribute", `<proxy colour="red"/>`, CodeBadAttribute, "/cpl/taa:routed/proxy[1]"},
		{"wrong parent", `<busy><proxy/></busy>`, CodeWrongParent, "/cpl/taa:routed/busy[1]"},
		{"address outside switch", `<address is="a"/>`, CodeWrongParent, "/cpl/taa:routed/address[1]"},
		{"rule outside rule-switch", `<taa:rule origin=".*"/>`, CodeWrongParent, "/cpl/taa:routed/taa:rule[1]"},
		{"duplicate not-present", `<address-switch field="origin"><not-present/><not-present/></address-switch>`, CodeDuplicate, "/cpl/taa:routed/address-switch[1]/not-present[2]"},
		{"duplicate otherwise", `<address-switch field="origin"><otherwise/><otherwise/></address-switch>`, CodeOrder, "/cpl/taa:routed/address-switch[1]/otherwise[2]"},
		{"otherwise not last", `<address-switch field="origin"><otherwise/><address is="a"/></address-switch>`, CodeOrder, "/cpl/taa:routed/address-switch[1]/address[1]"},
		{"address without match", `<address-switch field="origin"><address/></address-switch>`, CodeMissingAttribute, "/cpl/taa:routed/address-switch[1]/address[1]"},
		{"address with two matches", `<address-switch field="origin"><address is="a" regex="b"/></address-switch>`, CodeConflict, "/cpl/taa:routed/address-switch[1]/address[1]"},
		{"no field", `<address-switch><address is="a"/></address-switch>`, CodeMissingAttribute, "/cpl/taa:routed/address-switch[1]"},
		{"bad field", `<address-switch field="nowhere"/>`, CodeValue, "/cpl/taa:routed/address-switch[1]"},
		{"bad subfield", `<address-switch field="origin" subfield="shoe"/>`, CodeValue, "/cpl/taa:routed/address-switch[1]"},
		{"rule without selector", `<taa:rule-switch><taa:rule destination=".*"/></taa:rule-switch>`, CodeMissingAttribute, "/cpl/taa:routed/taa:rule-switch[1]/taa:rule[1]"},
		{"rule with two selectors", `<taa:rule-switch><taa:rule origin=".*" originating-zone="z"/></taa:rule-switch>`, CodeConflict, "/cpl/taa:routed/taa:rule-switch[1]/taa:rule[1]"},
		{"bad regex", `<address-switch field="origin"><address regex="(ab"/></address-switch>`, CodeRegex, "/cpl/taa:routed/address-switch[1]/address[1]"},
		{"bad rule regex", `<taa:rule-switch><taa:rule origin="a[b"/></taa:rule-switch>`, CodeRegex, "/cpl/taa:routed/taa:rule-switch[1]/taa:rule[1]"},
		{"timeout 0", `<proxy timeout="0"/>`, CodeRange, "/cpl/taa:routed/proxy[1]"},
		{"timeout 86401", `<proxy timeout="86401"/>`, CodeRange, "/cpl/taa:routed/proxy[1]"},
		{"timeout word", `<proxy timeout="soon"/>`, CodeValue, "/cpl/taa:routed/proxy[1]"},
		{"stop-on-busy maybe", `<proxy stop-on-busy="maybe"/>`, CodeValue, "/cpl/taa:routed/proxy[1]"},
		{"priority 1.5", `<location url="a" priority="1.5"/>`, CodeRange, "/cpl/taa:routed/location[1]"},
		{"priority word", `<location url="a" priority="high"/>`, CodeValue, "/cpl/taa:routed/location[1]"},
		{"random on RFC location", `<location url="a" priority="random"/>`, CodeValue, "/cpl/taa:routed/location[1]"},
		{"location without url", `<location/>`, CodeMissingAttribute, "/cpl/taa:routed/location[1]"},
		{"clear Yes", `<location url="a" clear="Yes"/>`, CodeValue, "/cpl/taa:routed/location[1]"},
		{"Clear attribute", `<location url="a" Clear="yes"/>`, CodeBadAttribute, "/cpl/taa:routed/location[1]"},
		{"regex without replace", `<taa:location regex="a"/>`, CodeMissingAttribute, "/cpl/taa:routed/taa:location[1]"},
		{"regex with url", `<taa:location url="b" regex="a" replace="c"/>`, CodeConflict, "/cpl/taa:routed/taa:location[1]"},
		{"bad back-reference", `<taa:location regex="a" replace="\2"/>`, CodeRegex, "/cpl/taa:routed/taa:location[1]"},
		{"empty taa:location", `<taa:location/>`, CodeMissingAttribute, "/cpl/taa:routed/taa:location[1]"},
		{"source regex without replace", `<taa:location source-url-for-message-regex="a"/>`, CodeMissingAttribute, "/cpl/taa:routed/taa:location[1]"},
		{"reject status 200", `<reject status="200"/>`, CodeRange, "/cpl/taa:routed/reject[1]"},
		{"reject status word", `<reject status="nope"/>`, CodeValue, "/cpl/taa:routed/reject[1]"},
		{"reject with child", `<reject><proxy/></reject>`, CodeChildCount, "/cpl/taa:routed/reject[1]/proxy[1]"},
		{"proxy bad output", `<proxy><otherwise/></proxy>`, CodeWrongParent, "/cpl/taa:routed/proxy[1]/otherwise[1]"},
		{"proxy duplicate output", `<proxy><busy/><busy/></proxy>`, CodeDuplicate, "/cpl/taa:routed/proxy[1]/busy[2]"},
		{"recurse in Expressway", `<proxy recurse="no"/>`, CodeBadAttribute, "/cpl/taa:routed/proxy[1]"},
		{"text", `<proxy/>hello`, CodeText, "/cpl/taa:routed"},
		{"foreign namespace", `<x:proxy xmlns:x="urn:other"/>`, CodeNamespace, "/cpl/taa:routed/{urn:other}proxy[1]"},
		{"unknown taa element", `<taa:teleport/>`, CodeUnknownElement, "/cpl/taa:routed/taa:teleport[1]"},
	}
	for _, c := range cases {
		l := compileErrs(t, doc(c.body))
		if !hasCode(l, c.code) {
			t.Errorf("%s: want %s, got %v", c.name, c.code, l)
			continue
		}
		for _, e := range l {
			if e.Code == c.code {
				if e.Path != c.path {
					t.Errorf("%s: path %q, want %q", c.name, e.Path, c.path)
				}
				if e.Line != 1 || e.Column <= len(docHead) {
					t.Errorf("%s: position %d:%d", c.name, e.Line, e.Column)
				}
				if e.Dialect != Expressway {
					t.Errorf("%s: dialect %v", c.name, e.Dialect)
				}
				break
			}
		}
	}
}

// CPL-28: every fault at once, in document order, with positions.
func TestAllErrorsAtOnce(t *testing.T) {
	src := `<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions">
  <taa:routed>
    <address-switch field="nowhere">
      <address regex="(x"/>
      <address is="a" contains="b"/>
      <otherwise><time-switch/></otherwise>
      <address is="late"/>
    </address-switch>
  </taa:routed>
</cpl>`
	l := compileErrs(t, src)
	want := []struct {
		code      Code
		line, col int
	}{
		{CodeValue, 3, 21},
		{CodeRegex, 4, 23},
		{CodeConflict, 5, 23},
		{CodeUnsupported, 6, 18},
		{CodeOrder, 7, 7},
	}
	if len(l) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(l), len(want), l)
	}
	for i, w := range want {
		if l[i].Code != w.code || l[i].Line != w.line || l[i].Column != w.col {
			t.Errorf("error %d: got %s at %d:%d, want %s at %d:%d", i, l[i].Code, l[i].Line, l[i].Column, w.code, w.line, w.col)
		}
	}
	// The regex error points into the attribute value (BX-4).
	if l[1].Attr != "regex" || l[1].Offset != 0 {
		t.Errorf("regex error: attr %q offset %d", l[1].Attr, l[1].Offset)
	}
	if s := l.Error(); !strings.Contains(s, "5 errors") || !strings.Contains(s, "4:23: E_REGEX") {
		t.Errorf("ErrorList text: %s", s)
	}
}

// The error cap keeps a script with thousands of faults cheap (CPL-28).
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(docHead + `<address-switch field="origin">`)
	for i := 0; i < 500; i++ {
		b.WriteString(`<address bogus="1" is="a"/>`)
	}
	b.WriteString(`</address-switch>` + docTail)
	l := compileErrs(t, b.String(), WithLimits(Limits{MaxErrors: 10}))
	if len(l) != 10 {
		t.Fatalf("got %d errors, want the cap of 10", len(l))
	}
}

// CPL-1, CPL-6: namespaces, xsi attributes, BOM, whitespace before the
// declaration, comments; the product's six origin selectors (spec §3).
func TestAcceptedForms(t *testing.T) {
	ok := []string{
		"\ufeff" + doc(`<proxy/>`),
		"  \n <?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n" + doc(`<proxy/>`),
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:ext="http://www.tandberg.net/cpl-extensions" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:ietf:params:xml:ns:cpl cpl.xsd"><ext:routed><!-- c --><ext:rule-switch/></ext:routed></cpl>`,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"/>`,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><ancillary><anything/></ancillary><taa:routed xmlns:taa="http://www.tandberg.net/cpl-extensions"/></cpl>`,
		`<taa:rule-switch><taa:rule origin=".*"><proxy/></taa:rule></taa:rule-switch>`, // undeclared taa: in a fragment (CPL-4)
		doc(`<address-switch field="destination"><address is="a"/><not-present/><otherwise/></address-switch>`),
		doc(`<address-switch field="destination"><not-present/><address is="a"/></address-switch>`),
		doc(`<proxy timeout="1" stop-on-busy="yes"><busy/><noanswer/><redirection/><failure/><default/></proxy>`),
		doc(`<reject status="busy"/>`),
		doc(`<location url="a" priority="0.5" clear="no"><proxy/></location>`),
		doc(`<taa:location priority="random" url="a"/>`),
		doc(`<taa:location regex="(.*)@a" replace="\1@b" clear="yes"/>`),
		doc(`<taa:location source-url-for-message="x@y"/>`),
		doc(`<taa:location source-url-for-message-regex="(.*)" source-url-for-message-replace="\1"/>`),
	}
	for _, sel := range originSelectors {
		ok = append(ok, doc(`<taa:rule-switch><taa:rule `+sel+`=".*" destination=".*" message-regex=".*"><proxy/></taa:rule></taa:rule-switch>`))
	}
	for _, src := range ok {
		if _, err := Compile([]byte(src)); err != nil {
			t.Errorf("%s\n%v", src, err)
		}
	}
	// A cpl without taa:routed always proceeds (CPL-2).
	p := MustCompile(`<cpl xmlns="urn:ietf:params:xml:ns:cpl"/>`)
	res, err := p.Evaluate(context.Background(), call{dst: d("a")}.input())
	if err != nil || res.Action != Proceed {
		t.Errorf("empty cpl: %v %v", res, err)
	}
}

// CPL-5, CPL-56, BX-13: XML bombs and oversize input are refused by the
// limits, quickly and with a clear code.
func TestXMLBombs(t *testing.T) {
	deep := strings.Repeat(`<address-switch field="origin"><otherwise>`, 200) + strings.Repeat(`</otherwise></address-switch>`, 200)
	billion := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><cpl xmlns="urn:ietf:params:xml:ns:cpl">&lol2;</cpl>`
	cases := []struct {
		name string
		src  string
		code Code
		opts []Option
	}{
		{"deep nesting", doc(deep), CodeLimit, nil},
		{"billion laughs", billion, CodeDoctype, nil},
		{"external entity", `<!DOCTYPE cpl SYSTEM "file:///etc/passwd"><cpl xmlns="urn:ietf:params:xml:ns:cpl"/>`, CodeDoctype, nil},
		{"undeclared entity", `<cpl xmlns="urn:ietf:params:xml:ns:cpl">&xxe;</cpl>`, CodeXML, nil},
		{"huge attribute", doc(`<reject reason="` + strings.Repeat("x", 5000) + `"/>`), CodeLimit, nil},
		{"many attributes", doc(`<proxy ` + manyAttrs(40) + `/>`), CodeLimit, nil},
		{"many nodes", doc(`<address-switch field="origin">` + strings.Repeat(`<address is="a"/>`, 200) + `</address-switch>`), CodeLimit, []Option{WithLimits(Limits{MaxNodes: 100})}},
		{"script size", doc(`<proxy/>`) + strings.Repeat(" ", 2<<20), CodeLimit, nil},
		{"long regex", doc(`<address-switch field="origin"><address regex="` + strings.Repeat("a", 2000) + `"/></address-switch>`), CodeLimit, nil},
		{"invalid UTF-8", doc(`<reject reason="` + "\xff\xfe" + `"/>`), CodeXML, nil},
		{"not XML", `{"action":"proxy"}`, CodeRoot, nil},
		{"empty", ``, CodeRoot, nil},
		{"truncated", doc(`<proxy>`), CodeXML, nil},
		{"two roots", `<proxy/><reject/>`, CodeRoot, nil},
		{"processing instruction", `<?php echo 1; ?>` + doc(`<proxy/>`), CodeXML, nil},
	}
	for _, c := range cases {
		l := compileErrs(t, c.src, c.opts...)
		if !hasCode(l, c.code) {
			t.Errorf("%s: want %s, got %v", c.name, c.code, l)
		}
	}
}

func manyAttrs(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` a%d="1"`, i)
	}
	return b.String()
}
