import Foundation

/// One self-contained HTML page for one scenario run: a header (scenario,
/// seed, trace hash, pass/fail, headline metrics, failing invariants and
/// assertions), an SVG timeline (blocks, sessions and their windows, faults,
/// relayers, miner replicas with their supplier leases, claims, proofs and
/// settlements), a legend, and tables of claims/proofs, leases and node spans.
///
/// Inline CSS and SVG only (no scripts, no external assets); hover details
/// are SVG `<title>` tooltips and markers link to their table rows. The
/// markup is XHTML-compatible (well-formed XML), and every scenario-provided
/// string is escaped.
public enum HTMLReport {
    /// The page. `replayCommand`: shown under the header (e.g. `pocket-relay-miner sim run FILE --seed 7`).
    public static func render(_ timeline: RunTimeline, report: RunReport, replayCommand: String? = nil) -> String {
        var page = Page()
        page.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        page.raw("<title>\(Markup.escape("\(report.passed ? "PASS" : "FAIL") \(report.scenario) seed \(report.seed)"))</title>\n")
        page.raw("<style>\n\(css)</style>\n</head>\n<body>\n")
        header(&page, timeline, report, replayCommand)
        page.raw("<section class=\"timeline\">\n<h2>Timeline</h2>\n<div class=\"scroll\">\n")
        var svg = TimelineSVG(timeline)
        page.raw(svg.render())
        page.raw("</div>\n")
        legend(&page, timeline)
        page.raw("</section>\n")
        claimsTable(&page, timeline)
        faultsTable(&page, timeline)
        leasesTable(&page, timeline)
        nodesTable(&page, timeline)
        distributions(&page, report)
        notes(&page, report)
        page.raw("<footer>pocket-relay-miner simulator · virtual times are seconds since block 1 · \(Markup.escape(String(report.traceEvents))) trace events</footer>\n")
        page.raw("</body>\n</html>\n")
        return page.out
    }

    /// Escapes text for the page (also valid for XML attributes).
    public static func escape(_ s: String) -> String { Markup.escape(s) }

    // MARK: Header

    private static func header(_ page: inout Page, _ t: RunTimeline, _ r: RunReport, _ replay: String?) {
        page.raw("<header>\n<h1><span class=\"badge \(r.passed ? "pass" : "fail")\">\(r.passed ? "PASS" : "FAIL")</span> ")
        page.text(r.scenario)
        page.raw("</h1>\n")
        if !t.description.isEmpty { page.raw("<p class=\"desc\">\(Markup.escape(t.description))</p>\n") }
        page.raw("<dl class=\"meta\">")
        let meta: [(String, String)] = [
            ("seed", String(r.seed)), ("trace hash", r.traceHash), ("blocks", String(r.finalHeight)),
            ("simulated", String(format: "%.1f s", r.simulatedSeconds)), ("wall", String(format: "%.2f s", r.wallSeconds)),
            ("suppliers", String(t.suppliers.count)), ("relayers", String(t.relayers.count)), ("miners", String(t.miners.count)),
        ]
        for (k, v) in meta {
            page.raw("<div><dt>\(Markup.escape(k))</dt><dd\(k == "trace hash" ? " class=\"hash\"" : "")>\(Markup.escape(v))</dd></div>")
        }
        page.raw("</dl>\n")
        if let replay { page.raw("<p class=\"replay\">replay: <code>\(Markup.escape(replay))</code></p>\n") }

        page.raw("<div class=\"metrics\">")
        for name in RunReport.headlineMetrics {
            let v = r.metric(name)
            let bad = (name == "drift" || name.hasSuffix("_missed")) && v > 0
            page.raw("<div class=\"metric\(bad ? " bad" : "")\"><span class=\"v\">\(Markup.metric(v))</span><span class=\"k\">\(Markup.escape(name.replacingOccurrences(of: "_", with: " ")))</span></div>")
        }
        page.raw("</div>\n")

        if let failure = r.failure {
            page.raw("<div class=\"failure\"><strong>simulation failed:</strong> \(Markup.escape(failure))</div>\n")
        }
        if let v = r.firstViolation {
            page.raw("<div class=\"failure\"><strong>first violation:</strong> <code>\(Markup.escape(v.invariant))</code> at ")
            page.raw("\(Markup.escape(Markup.seconds(v.nanosecondsSinceStart, digits: 3))) (h \(t.height(at: v.nanosecondsSinceStart))), seed \(v.seed): ")
            page.raw("\(Markup.escape(v.detail))<div class=\"muted\">event: <code>\(Markup.escape(v.event))</code></div></div>\n")
        }
        page.raw("<div class=\"checks\">\n<div><h3>Invariants</h3><ul>")
        for inv in r.invariants {
            let (cls, mark) = !inv.checked ? ("skip", "–") : inv.passed ? ("ok", "✓") : ("bad", "✗")
            page.raw("<li class=\"\(cls)\"><span class=\"mark\">\(mark)</span> <code>\(Markup.escape(inv.name))</code>")
            if !inv.checked { page.raw(" <span class=\"muted\">not checked</span>") }
            if !inv.passed, !inv.detail.isEmpty { page.raw("<div class=\"detail\">\(Markup.escape(inv.detail))</div>") }
            page.raw("</li>")
        }
        page.raw("</ul></div>\n<div><h3>Assertions</h3><ul>")
        if r.assertions.isEmpty { page.raw("<li class=\"muted\">none</li>") }
        for a in r.assertions {
            page.raw("<li class=\"\(a.passed ? "ok" : "bad")\"><span class=\"mark\">\(a.passed ? "✓" : "✗")</span> <code>\(Markup.escape(a.assertion))</code>")
            page.raw(" <span class=\"muted\">actual \(Markup.escape(a.actual.map(Markup.metric) ?? "n/a"))</span></li>")
        }
        page.raw("</ul></div>\n</div>\n</header>\n")
    }

    // MARK: Legend

    private static func legend(_ page: inout Page, _ t: RunTimeline) {
        func swatch(_ cls: String, _ label: String) -> String {
            "<span class=\"sw\"><span class=\"chip \(cls)\"></span>\(Markup.escape(label))</span>"
        }
        page.raw("<div class=\"legend\">\n<div><strong>windows</strong> ")
        page.raw(swatch("w-active", "session") + swatch("w-grace", "grace period") + swatch("w-claim", "claim window") + swatch("w-proof", "proof window"))
        page.raw("</div>\n<div><strong>nodes</strong> ")
        page.raw(swatch("n-up", "up") + swatch("n-down", "down") + "<span class=\"sw\"><span class=\"glyph bad\">✕</span>crash</span>"
            + "<span class=\"sw\"><span class=\"glyph\">■</span>graceful stop</span>" + swatch("fault", "fault active"))
        page.raw("</div>\n<div><strong>outcomes</strong> ")
        page.raw(swatch("t-ok", "accepted / validated / settled") + swatch("t-info", "accepted, not yet validated") + swatch("t-neutral", "proof not required")
            + swatch("t-warn", "not included") + swatch("t-bad", "rejected / invalid / expired") + swatch("t-miss", "never submitted")
            + swatch("t-open", "window open at run end") + "<span class=\"sw\"><span class=\"glyph\">▼</span>tx broadcast</span>")
        page.raw("</div>\n<div><strong>leases</strong> one row per supplier a replica held, coloured per supplier; ")
        page.raw("<span class=\"sw\"><span class=\"glyph bad\">|</span>lost</span><span class=\"sw\"><span class=\"glyph\">|</span>released</span></div>\n")
        if t.suppliers.count <= 48 {
            page.raw("<div class=\"suppliers\"><strong>suppliers</strong> ")
            for (i, s) in t.suppliers.enumerated() {
                page.raw("<span class=\"sw\"><span class=\"chip\" style=\"background:\(supplierColour(i))\"></span>\(Markup.escape(s))</span>")
            }
            page.raw("</div>\n")
        } else {
            page.raw("<div class=\"suppliers\"><strong>suppliers</strong> \(t.suppliers.count) colours by scenario order; hover a lease bar for its supplier and epoch</div>\n")
        }
        page.raw("</div>\n")
    }

    // MARK: Tables

    private static func claimsTable(_ page: inout Page, _ t: RunTimeline) {
        let accepted = t.claims.filter { $0.claim.outcome == .accepted }.count
        page.raw("<section>\n<h2>Claims and proofs <span class=\"muted\">\(t.claims.count) (supplier, session) pairs, \(accepted) claims accepted</span></h2>\n")
        guard !t.claims.isEmpty else {
            page.raw("<p class=\"muted\">No traffic and no claims.</p>\n</section>\n")
            return
        }
        page.raw("<div class=\"scroll\"><table class=\"claims\">\n<thead><tr><th>#</th><th>session</th><th>supplier</th><th>application</th><th>service</th>")
        page.raw("<th>relays ack.</th><th>claim sent</th><th>claim on chain</th><th>claim</th><th>leaves</th><th>proof req.</th><th>proof sent</th>")
        page.raw("<th>proof on chain</th><th>proof</th><th>settlement</th></tr></thead>\n<tbody>\n")
        let numbers = Dictionary(t.sessions.map { ($0.end, $0.number) }, uniquingKeysWith: { a, _ in a })
        for (i, c) in t.claims.enumerated() {
            let session = numbers[c.sessionEnd].map { "S\($0) " } ?? ""
            page.raw("<tr id=\"claim-\(i)\"><td class=\"num\">\(i + 1)</td>")
            page.raw("<td title=\"\(Markup.escape(c.sessionID))\">\(Markup.escape(session))<span class=\"muted\">\(c.sessionStart)–\(c.sessionEnd)</span> <code>\(Markup.escape(String(c.sessionID.prefix(8))))</code></td>")
            page.raw("<td><span class=\"chip\" style=\"background:\(supplierColour(t.suppliers.firstIndex(of: c.supplier) ?? 0))\"></span>\(Markup.escape(c.supplier))</td>")
            page.raw("<td>\(Markup.escape(c.application ?? "?"))</td><td>\(Markup.escape(c.service ?? "?"))</td><td class=\"num\">\(c.relaysAcknowledged)</td>")
            page.raw("<td>\(broadcastCell(c.claim.broadcasts))</td><td class=\"num\">\(c.claim.includedHeight.map(String.init) ?? "")</td>")
            page.raw("<td class=\"\(tone(c.claim.outcome).cls)\">\(Markup.escape(c.claim.outcome.description))\(c.claim.replaced ? " <span class=\"muted\">(replaced)</span>" : "")</td>")
            page.raw("<td class=\"num\">\(c.claim.relays.map(String.init) ?? "")</td>")
            page.raw("<td>\(Markup.escape(c.proof.requirement?.lowercased().replacingOccurrences(of: "_", with: " ") ?? ""))</td>")
            page.raw("<td>\(broadcastCell(c.proof.broadcasts))</td>")
            var onChain = c.proof.includedHeight.map(String.init) ?? ""
            if let v = c.proof.validationHeight, v != c.proof.includedHeight { onChain += onChain.isEmpty ? "checked \(v)" : ", checked \(v)" }
            page.raw("<td class=\"num\">\(Markup.escape(onChain))</td>")
            page.raw("<td class=\"\(tone(c.proof.outcome)?.cls ?? "")\">\(Markup.escape(c.proof.outcome.description))</td>")
            if let s = c.settlement {
                page.raw("<td class=\"\(tone(s.outcome).cls)\">\(Markup.escape(s.outcome.description)) at \(s.height)<div class=\"muted\">\(s.claimedUPOKT) upokt\(s.slashedUPOKT > 0 ? ", slashed \(s.slashedUPOKT)" : "")</div></td>")
            } else {
                page.raw("<td class=\"muted\">—</td>")
            }
            page.raw("</tr>\n")
        }
        page.raw("</tbody></table></div>\n</section>\n")
    }

    private static func broadcastCell(_ broadcasts: [RunTimeline.Broadcast]) -> String {
        guard let first = broadcasts.first else { return "" }
        var s = "h \(first.height) · \(Markup.seconds(first.nanoseconds, digits: 1))"
        if !first.admitted { s += " (refused)" }
        var cell = Markup.escape(s)
        if broadcasts.count > 1 {
            let rest = broadcasts.dropFirst().map { b in
                "h \(b.height) · \(Markup.seconds(b.nanoseconds, digits: 1))\(b.resubmit ? " resubmit" : "")\(b.admitted ? "" : " refused: \(b.log)")"
            }.joined(separator: "\n")
            cell += " <span class=\"more\" title=\"\(Markup.escape(rest))\">+\(broadcasts.count - 1)</span>"
        }
        return cell
    }

    private static func faultsTable(_ page: inout Page, _ t: RunTimeline) {
        page.raw("<section>\n<h2>Faults <span class=\"muted\">\(t.faults.count)</span></h2>\n")
        guard !t.faults.isEmpty else {
            page.raw("<p class=\"muted\">No faults were applied.</p>\n</section>\n")
            return
        }
        page.raw("<table><thead><tr><th>kind</th><th>target</th><th>applied</th><th>cleared</th><th>detail</th></tr></thead>\n<tbody>\n")
        for f in t.faults {
            page.raw("<tr><td><code>\(Markup.escape(f.kind))</code></td><td>\(Markup.escape(f.target))</td>")
            page.raw("<td>\(Markup.escape(at(t, f.applied)))</td><td>\(Markup.escape(f.cleared.map { at(t, $0) } ?? "not cleared"))</td>")
            page.raw("<td>\(Markup.escape(f.detail))</td></tr>\n")
        }
        page.raw("</tbody></table>\n</section>\n")
    }

    private static func leasesTable(_ page: inout Page, _ t: RunTimeline) {
        page.raw("<section>\n<details\(t.leases.count <= 40 ? " open=\"open\"" : "")><summary><h2>Lease tenures <span class=\"muted\">\(t.leases.count)</span></h2></summary>\n")
        page.raw("<table><thead><tr><th>miner</th><th>instance</th><th>supplier</th><th>epoch</th><th>from</th><th>to</th><th>ended</th></tr></thead>\n<tbody>\n")
        for l in t.leases {
            let cls: String
            switch l.end {
            case .crashed, .lost: cls = "t-bad-text"
            default: cls = ""
            }
            page.raw("<tr><td>\(Markup.escape(l.miner))</td><td><code>\(Markup.escape(l.instance))</code></td>")
            page.raw("<td><span class=\"chip\" style=\"background:\(supplierColour(t.suppliers.firstIndex(of: l.supplier) ?? 0))\"></span>\(Markup.escape(l.supplier))</td>")
            page.raw("<td class=\"num\">\(l.epoch)</td><td>\(Markup.escape(at(t, l.from)))</td><td>\(Markup.escape(at(t, l.to)))</td>")
            page.raw("<td class=\"\(cls)\">\(Markup.escape(l.end.description))</td></tr>\n")
        }
        page.raw("</tbody></table>\n</details>\n</section>\n")
    }

    private static func nodesTable(_ page: inout Page, _ t: RunTimeline) {
        page.raw("<section>\n<details><summary><h2>Node up spans <span class=\"muted\">\(t.nodes.reduce(0) { $0 + $1.spans.count })</span></h2></summary>\n")
        page.raw("<table><thead><tr><th>node</th><th>kind</th><th>generation</th><th>up from</th><th>to</th><th>ended</th></tr></thead>\n<tbody>\n")
        for node in t.nodes {
            for s in node.spans {
                page.raw("<tr><td>\(Markup.escape(node.name))</td><td>\(node.kind.rawValue)</td><td class=\"num\">\(s.generation)</td>")
                page.raw("<td>\(Markup.escape(at(t, s.from)))</td><td>\(Markup.escape(at(t, s.to)))</td>")
                page.raw("<td class=\"\(s.end == .crashed ? "t-bad-text" : "")\">\(Markup.escape(s.end.description))</td></tr>\n")
            }
        }
        page.raw("</tbody></table>\n</details>\n</section>\n")
    }

    private static func notes(_ page: inout Page, _ r: RunReport) {
        guard !r.notes.isEmpty else { return }
        page.raw("<section>\n<details><summary><h2>Notes <span class=\"muted\">\(r.notes.count)</span></h2></summary>\n<ul class=\"notes\">")
        for n in r.notes { page.raw("<li>\(Markup.escape(n))</li>") }
        page.raw("</ul>\n</details>\n</section>\n")
    }

    /// `12.3 s (h 2)`.
    static func at(_ t: RunTimeline, _ ns: Int64) -> String {
        "\(Markup.seconds(ns, digits: 1)) (h \(t.height(at: ns)))"
    }

    // MARK: Colours and tones

    /// A distinct colour per supplier index (golden-angle hues, alternating lightness).
    static func supplierColour(_ index: Int) -> String {
        let hue = (Double(index) * 137.508 + 205).truncatingRemainder(dividingBy: 360)
        let light = index % 2 == 0 ? 46 : 58
        return "hsl(\(Int(hue)),62%,\(light)%)"
    }

    enum Tone: String {
        case ok, info, neutral, warn, bad, miss, open

        var cls: String { "t-\(rawValue)" }

        var colour: String {
            switch self {
            case .ok: return "#2f9e44"
            case .info: return "#4dabf7"
            case .neutral: return "#9aa5b8"
            case .warn: return "#f08c00"
            case .bad: return "#e03131"
            case .miss: return "#343a40"
            case .open: return "#ced4da"
            }
        }

        /// Order in stacked markers (good at the bottom).
        var rank: Int {
            switch self {
            case .ok: return 0
            case .info: return 1
            case .neutral: return 2
            case .open: return 3
            case .warn: return 4
            case .bad: return 5
            case .miss: return 6
            }
        }
    }

    static func tone(_ o: RunTimeline.ClaimOutcome) -> Tone {
        switch o {
        case .accepted: return .ok
        case .rejected: return .bad
        case .notIncluded: return .warn
        case .notSubmitted: return .miss
        case .open: return .open
        }
    }

    static func tone(_ o: RunTimeline.ProofOutcome) -> Tone? {
        switch o {
        case .none: return nil
        case .notRequired: return .neutral
        case .validated: return .ok
        case .accepted: return .info
        case .invalid, .rejected: return .bad
        case .notIncluded: return .warn
        case .notSubmitted: return .miss
        case .open: return .open
        }
    }

    static func tone(_ o: RunTimeline.SettlementOutcome) -> Tone {
        switch o {
        case .settled: return .ok
        case .expired: return .bad
        }
    }

    // MARK: Style

    private static let css = """
    :root { --ink:#1f2430; --muted:#6b7280; --line:#e5e7eb; --bg:#fafbfc; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 20px 28px 40px; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
    h1 { font-size: 22px; margin: 0 0 4px; display: flex; align-items: center; gap: 10px; }
    h2 { font-size: 16px; margin: 26px 0 8px; display: inline-block; }
    h3 { font-size: 13px; margin: 8px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
    code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
    .badge { font-size: 13px; padding: 3px 10px; border-radius: 4px; color: #fff; letter-spacing: .05em; }
    .badge.pass { background: #2f9e44; } .badge.fail { background: #e03131; }
    .desc { margin: 2px 0 8px; color: var(--muted); }
    dl.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 8px 0; }
    dl.meta div { display: flex; gap: 6px; } dt { color: var(--muted); } dd { margin: 0; font-weight: 600; }
    dd.hash { font-weight: normal; word-break: break-all; }
    .replay { margin: 4px 0 10px; color: var(--muted); }
    .metrics { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
    .metric { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 108px; }
    .metric .v { display: block; font-size: 20px; font-weight: 700; } .metric .k { color: var(--muted); font-size: 11px; }
    .metric.bad { border-color: #e03131; background: #fff5f5; } .metric.bad .v { color: #c92a2a; }
    .failure { background: #fff5f5; border: 1px solid #e03131; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
    .checks { display: flex; flex-wrap: wrap; gap: 10px 48px; }
    .checks ul { list-style: none; margin: 0; padding: 0; }
    .checks li { margin: 2px 0; } .checks .mark { display: inline-block; width: 14px; font-weight: 700; }
    li.ok .mark { color: #2f9e44; } li.bad .mark, li.bad code { color: #c92a2a; } li.skip .mark, li.skip code { color: var(--muted); }
    .detail { margin: 2px 0 4px 18px; color: #c92a2a; max-width: 900px; }
    .muted { color: var(--muted); font-weight: normal; }
    .scroll { overflow-x: auto; }
    svg.tl { display: block; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
    svg.tl text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--ink); }
    svg.tl text.lane { font-weight: 600; } svg.tl text.sub { fill: var(--muted); } svg.tl text.section { font-weight: 700; fill: #495057; letter-spacing: .06em; }
    svg.tl text.in { fill: #fff; font-size: 10px; } svg.tl text.dark { fill: #1f2430; font-size: 10px; } svg.tl text.axis { fill: var(--muted); font-size: 10px; }
    .legend { display: flex; flex-direction: column; gap: 4px; margin: 8px 0 0; color: #374151; }
    .legend strong { display: inline-block; min-width: 76px; color: var(--muted); font-weight: 600; }
    .sw { display: inline-flex; align-items: center; gap: 4px; margin-right: 14px; white-space: nowrap; }
    .chip { display: inline-block; width: 12px; height: 10px; border-radius: 2px; vertical-align: -1px; margin-right: 4px; }
    .glyph { display: inline-block; width: 12px; text-align: center; font-weight: 700; } .glyph.bad { color: #e03131; }
    .w-active { background: #a5c8f0; } .w-grace { background: #dbe7f5; } .w-claim { background: #f6c453; } .w-proof { background: #b197fc; }
    .n-up { background: #8ce99a; } .n-down { background: #ffc9c9; } .fault { background: rgba(224,49,49,.18); border: 1px solid rgba(224,49,49,.5); }
    .chip.t-ok { background: #2f9e44; } .chip.t-info { background: #4dabf7; } .chip.t-neutral { background: #9aa5b8; } .chip.t-warn { background: #f08c00; }
    .chip.t-bad { background: #e03131; } .chip.t-miss { background: #343a40; } .chip.t-open { background: #ced4da; }
    table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: 12px; }
    th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; vertical-align: top; }
    th { background: #f1f3f5; font-weight: 600; position: sticky; top: 0; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    tbody tr:hover { background: #f8f9fa; } tr:target { background: #fff3bf; }
    td.t-ok { color: #2b8a3e; } td.t-info { color: #1971c2; } td.t-neutral { color: #5c677d; } td.t-warn { color: #d9480f; }
    td.t-bad, .t-bad-text { color: #c92a2a; font-weight: 600; } td.t-miss { color: #212529; font-weight: 600; } td.t-open { color: var(--muted); }
    .more { color: #1971c2; cursor: help; }
    details summary { cursor: pointer; } details summary h2 { margin-top: 18px; }
    ul.notes { margin: 4px 0; }
    footer { margin-top: 28px; color: var(--muted); font-size: 11px; }

    """
}

/// Accumulates the page's markup.
struct Page {
    var out = ""

    mutating func raw(_ s: String) { out += s }

    mutating func text(_ s: String) { out += Markup.escape(s) }
}
