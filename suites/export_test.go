package suites

// PipelineStats says how many checks the pipeline started ahead of their Its, and
// how many of those no It took; both 0 when the run had no pipeline.
func PipelineStats(e *Env) (ahead, wasted int64) {
	if e.pipe == nil {
		return 0, 0
	}
	return e.pipe.ahead.Load(), e.pipe.wasted.Load()
}
