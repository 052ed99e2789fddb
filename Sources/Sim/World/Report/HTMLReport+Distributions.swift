import Foundation

extension HTMLReport {
    /// The runtime's histograms (e.g. relay latency): count and the
    /// quantiles that say what clients waited, not just the mean.
    static func distributions(_ page: inout Page, _ r: RunReport) {
        guard !r.histograms.isEmpty else { return }
        page.raw("<section>\n<h2>Distributions <span class=\"muted\">observed by the nodes' runtimes, merged over replicas</span></h2>\n")
        page.raw("<table><thead><tr><th>metric</th><th>count</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead>\n<tbody>\n")
        for h in r.histograms {
            let s = h.summary
            let value = h.name.contains("_seconds") ? milliseconds : Markup.metric
            page.raw("<tr><td><code>\(Markup.escape(h.name))</code></td><td class=\"num\">\(s.count)</td>")
            for v in [s.mean, s.p50, s.p95, s.p99, s.max] { page.raw("<td class=\"num\">\(Markup.escape(value(v)))</td>") }
            page.raw("</tr>\n")
        }
        page.raw("</tbody></table>\n</section>\n")
    }

    /// Seconds shown as milliseconds (`5.996 ms`): relay latencies are a few ms.
    private static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.3f ms", seconds * 1000)
    }
}
