package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/cogconform/cogconform/spec"
)

// GenResult is one pattern's generation rate, from BenchmarkValid in generators/.
type GenResult struct {
	Shape     string
	Pattern   string
	PerSecond float64
}

// benchLine matches a line of `go test -bench` output with a values/s metric:
// "BenchmarkValid/DeviceKeyType-2   2000   2806 ns/op   0 discard-%   356383 values/s".
var benchLine = regexp.MustCompile(`^BenchmarkValid/(\S+?)(?:-\d+)?\s.*?\s([0-9.e+]+) values/s`)

// Generation runs the generators' BenchmarkValid in a child `go test` and returns
// values per second for each pattern of the model.
func Generation(ctx context.Context, moduleDir, benchtime string) ([]GenResult, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkValid$", "-benchtime", benchtime, "./generators")
	cmd.Dir = moduleDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench BenchmarkValid: %v\n%s", err, out)
	}
	return ParseGeneration(out)
}

// ParseGeneration reads BenchmarkValid's output and names each shape's pattern.
func ParseGeneration(out []byte) ([]GenResult, error) {
	patterns := map[string]string{}
	if m, err := spec.Load(); err == nil {
		for _, s := range m.Shapes() {
			if s.Pattern != "" {
				patterns[s.Name] = s.Pattern
			}
		}
	}
	var res []GenResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		res = append(res, GenResult{Shape: m[1], Pattern: patterns[m[1]], PerSecond: v})
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("no BenchmarkValid results in:\n%s", out)
	}
	return res, nil
}
