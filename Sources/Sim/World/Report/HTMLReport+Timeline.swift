import Foundation

/// The report's timeline as inline SVG: x is virtual time (block cells
/// labelled by height), one lane per concern. Scales to many suppliers by
/// drawing lease tenure as thin rows per miner replica and by stacking or
/// aggregating claim/proof markers per block.
struct TimelineSVG {
    let t: RunTimeline
    private let labelWidth = 200.0
    private let rightPad = 16.0
    private let plotWidth: Double
    private let domainEnd: Int64
    private let cellPixels: Double
    private var body = ""
    private var background = ""
    private var y = 0.0

    init(_ timeline: RunTimeline) {
        t = timeline
        let cells = max(Double(timeline.finalHeight), 1)
        let perBlock = min(40, max(14, 1290 / cells))
        plotWidth = perBlock * cells
        cellPixels = perBlock
        domainEnd = max(timeline.nanoseconds(atHeight: max(timeline.finalHeight, 1) + 1), timeline.shutdownNanoseconds, 1)
    }

    private var width: Double { labelWidth + plotWidth + rightPad }

    private func x(_ ns: Int64) -> Double { labelWidth + Double(ns) / Double(domainEnd) * plotWidth }

    /// Pixel span of blocks `from...to` (inclusive) as cells.
    private func cells(_ from: Int64, _ to: Int64) -> (Double, Double) {
        (x(t.nanoseconds(atHeight: from)), x(t.nanoseconds(atHeight: to + 1)))
    }

    private func centre(_ height: Int64) -> Double {
        let (a, b) = cells(height, height)
        return (a + b) / 2
    }

    // MARK: Drawing primitives

    private mutating func rect(_ x0: Double, _ y0: Double, _ w: Double, _ h: Double, fill: String, extra: String = "", title: String? = nil, link: String? = nil) {
        var s = "<rect x=\"\(Markup.n(x0))\" y=\"\(Markup.n(y0))\" width=\"\(Markup.n(max(w, 0.8)))\" height=\"\(Markup.n(h))\" fill=\"\(fill)\"\(extra)"
        if let title { s += "><title>\(Markup.escape(title))</title></rect>" } else { s += "/>" }
        if let link { s = "<a href=\"#\(link)\">\(s)</a>" }
        body += s
    }

    private mutating func text(_ x0: Double, _ y0: Double, _ s: String, cls: String = "", anchor: String = "start") {
        body += "<text x=\"\(Markup.n(x0))\" y=\"\(Markup.n(y0))\"\(cls.isEmpty ? "" : " class=\"\(cls)\"")\(anchor == "start" ? "" : " text-anchor=\"\(anchor)\"")>\(Markup.escape(s))</text>"
    }

    private mutating func laneLabel(_ s: String, height: Double, cls: String = "lane", indent: Double = 0) {
        text(8 + indent, y + height / 2 + 4, fit(s, labelWidth - 14 - indent), cls: cls)
    }

    /// Text that fits `pixels` at ~6.1 px per character, else truncated with an ellipsis.
    private func fit(_ s: String, _ pixels: Double) -> String {
        let n = Int(pixels / 6.1)
        guard s.count > n else { return s }
        return n <= 1 ? "" : String(s.prefix(n - 1)) + "…"
    }

    /// Wraps what `draw` adds in `<g data-lane="id">`, so each lane is one element.
    private mutating func lane(_ id: String, _ draw: (inout TimelineSVG) -> Void) {
        body += "<g data-lane=\"\(Markup.escape(id))\">"
        draw(&self)
        body += "</g>"
    }

    private mutating func separator() {
        body += "<line x1=\"0\" x2=\"\(Markup.n(width))\" y1=\"\(Markup.n(y))\" y2=\"\(Markup.n(y))\" stroke=\"#dee2e6\"/>"
    }

    private mutating func section(_ name: String) {
        y += 6
        separator()
        y += 4
        text(8, y + 10, name.uppercased(), cls: "section")
        y += 14
    }

    /// A cross marker (crash).
    private mutating func cross(_ cx: Double, _ cy: Double, _ r: Double, title: String) {
        body += "<g stroke=\"#e03131\" stroke-width=\"2\"><title>\(Markup.escape(title))</title>"
            + "<line x1=\"\(Markup.n(cx - r))\" y1=\"\(Markup.n(cy - r))\" x2=\"\(Markup.n(cx + r))\" y2=\"\(Markup.n(cy + r))\"/>"
            + "<line x1=\"\(Markup.n(cx - r))\" y1=\"\(Markup.n(cy + r))\" x2=\"\(Markup.n(cx + r))\" y2=\"\(Markup.n(cy - r))\"/></g>"
    }

    private mutating func tick(_ x0: Double, _ y0: Double, _ h: Double, colour: String, title: String) {
        body += "<line x1=\"\(Markup.n(x0))\" y1=\"\(Markup.n(y0))\" x2=\"\(Markup.n(x0))\" y2=\"\(Markup.n(y0 + h))\" stroke=\"\(colour)\" stroke-width=\"2\"><title>\(Markup.escape(title))</title></line>"
    }

    // MARK: Page

    mutating func render() -> String {
        y = 0
        axis()
        blocksLane()
        sessionsLanes()
        faultLanes()
        nodeLanes(kind: .relayer, title: "relayers")
        minerLanes()
        submissionLanes()
        y += 8
        timeAxis()
        y += 6
        let height = y
        var guides = ""
        // Block boundaries, session starts stronger.
        let sessionStarts = Set(t.sessions.map(\.start))
        for h in 1...max(t.finalHeight + 1, 1) {
            let gx = x(t.nanoseconds(atHeight: h))
            let strong = sessionStarts.contains(h)
            guides += "<line x1=\"\(Markup.n(gx))\" x2=\"\(Markup.n(gx))\" y1=\"18\" y2=\"\(Markup.n(height - 22))\" stroke=\"\(strong ? "#adb5bd" : "#f1f3f5")\"\(strong ? " stroke-dasharray=\"3 3\"" : "")/>"
        }
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tl\" width=\"\(Markup.n(width))\" height=\"\(Markup.n(height))\" viewBox=\"0 0 \(Markup.n(width)) \(Markup.n(height))\" role=\"img\" aria-label=\"run timeline\">"
            + "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff0f0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ff8787\" stroke-width=\"2\"/></pattern>"
            + "<pattern id=\"grace\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"#eef3fa\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#a5c8f0\" stroke-width=\"1.5\"/></pattern></defs>"
            + "<rect x=\"\(Markup.n(labelWidth))\" y=\"0\" width=\"\(Markup.n(plotWidth))\" height=\"\(Markup.n(height))\" fill=\"#fcfcfd\"/>"
            + guides + background + faultShading(height: height) + body + "</svg>\n"
        return svg
    }

    // MARK: Axes

    private mutating func axis() {
        text(8, 13, "height", cls: "axis")
        let every: Int64 = cellPixels >= 20 ? 1 : (cellPixels >= 10 ? 5 : 10)
        for h in 1...max(t.finalHeight, 1) where h == 1 || h % every == 0 {
            text(centre(h), 13, String(h), cls: "axis", anchor: "middle")
        }
        y = 18
    }

    private mutating func timeAxis() {
        separator()
        let seconds = Double(domainEnd) / 1e9
        let steps: [Double] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]
        let step = steps.first { $0 / seconds * plotWidth >= 70 } ?? 7200
        text(8, y + 13, "virtual seconds", cls: "axis")
        var s = 0.0
        while s <= seconds {
            let px = x(Int64(s * 1e9))
            body += "<line x1=\"\(Markup.n(px))\" x2=\"\(Markup.n(px))\" y1=\"\(Markup.n(y))\" y2=\"\(Markup.n(y + 4))\" stroke=\"#adb5bd\"/>"
            text(px, y + 14, Markup.metric(s), cls: "axis", anchor: "middle")
            s += step
        }
        y += 18
    }

    // MARK: Blocks

    private mutating func blocksLane() {
        lane("blocks") { $0.drawBlocks() }
    }

    private mutating func drawBlocks() {
        let h = 16.0
        laneLabel("blocks", height: h)
        let maxTx = max(t.blocks.map(\.transactions).max() ?? 0, 1)
        for b in t.blocks {
            let (a, e) = cells(b.height, b.height)
            let shade = b.transactions == 0 ? "#e9ecef" : "hsl(212,70%,\(Int(78 - 36 * Double(b.transactions) / Double(maxTx)))%)"
            rect(a + 0.5, y + 1, e - a - 1, h - 2, fill: shade, title: "block \(b.height) at \(Markup.seconds(b.nanoseconds, digits: 1)) · \(b.transactions) tx")
            if b.transactions > 0, e - a >= 14 { text((a + e) / 2, y + h - 4, String(b.transactions), cls: b.transactions * 2 > maxTx ? "in" : "dark", anchor: "middle") }
        }
        for s in t.skippedSlots {
            let sx = x(s)
            rect(sx, y, max(cellPixels - 1, 2), h, fill: "url(#hatch)", title: "slot skipped at \(Markup.seconds(s, digits: 1)): chain stalled")
        }
        y += h + 2
    }

    // MARK: Sessions

    private mutating func sessionsLanes() {
        section("sessions")
        if t.sessions.isEmpty {
            laneLabel("none with traffic", height: 14, cls: "sub")
            y += 16
            return
        }
        for s in t.sessions { lane("session:\(s.number)") { $0.drawSession(s) } }
    }

    private mutating func drawSession(_ s: RunTimeline.Session) {
        let h = 22.0
        do {
            laneLabel("S\(s.number)  blocks \(s.start)–\(s.end)", height: h)
            let (a0, a1) = cells(s.start, s.end)
            rect(a0, y + 1, a1 - a0, h - 2, fill: "#a5c8f0", title: "session \(s.number): blocks \(s.start)–\(s.end), \(s.relays) relays acknowledged")
            let label = "\(s.relays) relays"
            if a1 - a0 > Double(label.count) * 6.2 + 8 { text(a0 + 5, y + 15, label, cls: "dark") }
            if s.graceEnd > s.end {
                let (g0, g1) = cells(s.end + 1, s.graceEnd)
                rect(g0, y + 1, g1 - g0, h - 2, fill: "url(#grace)", title: "grace period: blocks \(s.end + 1)–\(s.graceEnd)")
            }
            let (c0, c1) = cells(s.claimOpen, s.claimClose)
            rect(c0, y + 1, c1 - c0, h / 2 - 1.5, fill: "#f6c453", title: "claim window: blocks \(s.claimOpen)–\(s.claimClose)")
            let claimText = "claim \(s.claimOpen)–\(s.claimClose)"
            if c1 - c0 > Double(claimText.count) * 5.6 + 6 { text(c0 + 3, y + 9.5, claimText, cls: "dark") }
            let (p0, p1) = cells(s.proofOpen, s.proofClose)
            rect(p0, y + h / 2 + 0.5, p1 - p0, h / 2 - 1.5, fill: "#b197fc", title: "proof window: blocks \(s.proofOpen)–\(s.proofClose)")
            let proofText = "proof \(s.proofOpen)–\(s.proofClose)"
            if p1 - p0 > Double(proofText.count) * 5.6 + 6 { text(p0 + 3, y + h - 3, proofText, cls: "dark") }
            y += h + 3
        }
    }

    // MARK: Faults

    private func faultEnd(_ f: RunTimeline.Fault) -> Int64 { f.cleared ?? t.shutdownNanoseconds }

    private func faultShading(height: Double) -> String {
        var out = ""
        for f in t.faults {
            let a = x(f.applied), e = x(faultEnd(f))
            // A fault that was never cleared (a one-shot crash, a drop) is a moment: only its line.
            if f.cleared != nil, e - a >= 1 {
                out += "<rect x=\"\(Markup.n(a))\" y=\"18\" width=\"\(Markup.n(e - a))\" height=\"\(Markup.n(height - 40))\" fill=\"rgba(224,49,49,0.09)\"/>"
            }
            out += "<line x1=\"\(Markup.n(a))\" x2=\"\(Markup.n(a))\" y1=\"18\" y2=\"\(Markup.n(height - 22))\" stroke=\"rgba(224,49,49,.55)\" stroke-width=\"1\"/>"
        }
        return out
    }

    private mutating func faultLanes() {
        section("faults")
        if t.faults.isEmpty {
            laneLabel("none", height: 14, cls: "sub")
            y += 16
            return
        }
        for (i, f) in t.faults.enumerated() { lane("fault:\(i)") { $0.drawFault(f) } }
    }

    private mutating func drawFault(_ f: RunTimeline.Fault) {
        let h = 16.0
        do {
            let name = f.target.isEmpty ? f.kind : "\(f.kind) → \(f.target)"
            laneLabel(name, height: h, cls: "sub")
            let a = x(f.applied), e = x(faultEnd(f))
            let title = "\(name)\(f.detail.isEmpty ? "" : ": \(f.detail)") · applied \(Markup.seconds(f.applied, digits: 1)) (h \(t.height(at: f.applied)))"
                + (f.cleared.map { " · cleared \(Markup.seconds($0, digits: 1)) (h \(t.height(at: $0)))" } ?? " · not cleared")
            if f.cleared == nil {
                // Never cleared: a marker, and a dashed line to the end of the run.
                body += "<line x1=\"\(Markup.n(a))\" x2=\"\(Markup.n(e))\" y1=\"\(Markup.n(y + 8))\" y2=\"\(Markup.n(y + 8))\" stroke=\"#ff8787\" stroke-dasharray=\"4 3\"/>"
                body += "<path d=\"M\(Markup.n(a)) \(Markup.n(y + 2)) l5 6 l-5 6 l-5 -6 z\" fill=\"#e03131\"><title>\(Markup.escape(title))</title></path>"
                text(a + 8, y + 12, fit(f.detail.isEmpty ? f.kind : f.detail, max(e - a - 10, 120)), cls: "sub")
            } else if e - a < 2 {
                body += "<path d=\"M\(Markup.n(a)) \(Markup.n(y + 2)) l5 6 l-5 6 l-5 -6 z\" fill=\"#e03131\"><title>\(Markup.escape(title))</title></path>"
                text(a + 8, y + 12, fit(f.detail.isEmpty ? f.kind : f.detail, 240), cls: "sub")
            } else {
                rect(a, y + 2, e - a, h - 4, fill: "#ff8787", extra: " rx=\"2\"", title: title)
                let label = f.detail.isEmpty ? f.kind : f.detail
                if Double(label.count) * 6.1 + 8 <= e - a { text(a + 4, y + 12, label, cls: "in") } else { text(e + 4, y + 12, fit(label, 260), cls: "sub") }
            }
            y += h + 1
        }
    }

    // MARK: Nodes

    /// One row of a node's up (green) and down (hatched red) spans with crash/stop markers.
    private mutating func nodeRow(_ node: RunTimeline.Node, height h: Double, label: String) {
        laneLabel(label, height: h)
        let start = x(0), end = x(t.shutdownNanoseconds)
        rect(start, y + 2, end - start, h - 4, fill: "url(#hatch)", title: "\(node.name) down")
        for s in node.spans {
            let a = x(s.from), e = x(s.to)
            rect(a, y + 2, e - a, h - 4, fill: "#8ce99a",
                 title: "\(node.name) generation \(s.generation) up \(Markup.seconds(s.from, digits: 1))–\(Markup.seconds(s.to, digits: 1)), ended: \(s.end)")
            switch s.end {
            case .crashed: cross(e, y + h / 2, 4, title: "\(node.name) crashed at \(Markup.seconds(s.to, digits: 1)) (h \(t.height(at: s.to)))")
            case .stopped: rect(e - 3, y + h / 2 - 3, 6, 6, fill: "#343a40", title: "\(node.name) stopped at \(Markup.seconds(s.to, digits: 1))")
            default: break
            }
        }
    }

    private mutating func nodeLanes(kind: RunTimeline.NodeKind, title: String) {
        section(title)
        for node in t.nodes where node.kind == kind {
            let restarts = max(node.spans.count - 1, 0)
            lane("\(kind.rawValue):\(node.name)") {
                $0.nodeRow(node, height: 14, label: node.name + (restarts > 0 ? "  (\(restarts) restart\(restarts == 1 ? "" : "s"))" : ""))
                $0.y += 16
            }
        }
    }

    private mutating func minerLanes() {
        section("miners · supplier leases")
        let order = Dictionary(t.suppliers.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let many = t.suppliers.count > 16
        let rowH = many ? 3.0 : 12.0
        let gap = many ? 1.5 : 2.0
        let maxHeld = t.miners.map { Self.heldSteps(t.leases(ofMiner: $0.name)).map(\.1).max() ?? 0 }.max() ?? 0
        for node in t.miners {
            let tenures = t.leases(ofMiner: node.name)
            let held = Set(tenures.map(\.supplier)).sorted { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }
            lane("miner:\(node.name)") {
                $0.nodeRow(node, height: 14, label: "\(node.name)  ·  \(held.count) supplier\(held.count == 1 ? "" : "s")")
                $0.y += 15
            }
            if held.isEmpty {
                laneLabel("no leases", height: 12, cls: "sub", indent: 12)
                y += 14
                continue
            }
            if many { lane("held:\(node.name)") { $0.heldRow(tenures, scale: maxHeld) } }
            let top = y
            if many {
                text(20, top + 10, "\(held.count) rows, one per supplier", cls: "sub")
                text(20, top + 22, "(scenario order; hover)", cls: "sub")
            }
            for (row, supplier) in held.enumerated() {
                body += "<g data-lane=\"\(Markup.escape("lease:\(node.name):\(supplier)"))\">"
                defer { body += "</g>" }
                let ry = top + Double(row) * (rowH + gap)
                if !many { text(20, ry + rowH - 2, fit(supplier, labelWidth - 28), cls: "sub") }
                let colour = HTMLReport.supplierColour(order[supplier] ?? 0)
                for l in tenures where l.supplier == supplier {
                    let a = x(l.from), e = x(l.to)
                    let title = "\(supplier) on \(l.instance), epoch \(l.epoch): \(Markup.seconds(l.from, digits: 1)) (h \(t.height(at: l.from))) – \(Markup.seconds(l.to, digits: 1)) (h \(t.height(at: l.to))), ended: \(l.end)"
                    rect(a, ry, e - a, rowH, fill: colour, extra: many ? "" : " rx=\"2\"", title: title)
                    if !many, e - a > 46 { text(a + 4, ry + rowH - 2.5, "epoch \(l.epoch)", cls: "in") }
                    switch l.end {
                    case .lost: tick(e, ry - 1, rowH + 2, colour: "#e03131", title: "\(supplier) lease lost (\(l.end)) at \(Markup.seconds(l.to, digits: 1))")
                    case .released: tick(e, ry - 1, rowH + 2, colour: "#495057", title: "\(supplier) lease \(l.end) at \(Markup.seconds(l.to, digits: 1))")
                    case .crashed: if !many { cross(e, ry + rowH / 2, 3, title: "\(supplier) lease ended by a crash at \(Markup.seconds(l.to, digits: 1))") }
                    default: break
                    }
                }
            }
            y = top + Double(held.count) * (rowH + gap) + 4
            if many { y = max(y, top + 28) }
        }
    }

    /// (time, leases held from then on) at every change, for one miner.
    static func heldSteps(_ tenures: [RunTimeline.LeaseTenure]) -> [(Int64, Int)] {
        var deltas: [(Int64, Int)] = []
        for l in tenures {
            deltas.append((l.from, 1))
            deltas.append((l.to, -1))
        }
        deltas.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var out: [(Int64, Int)] = []
        var n = 0
        for (t, d) in deltas {
            n += d
            if let last = out.last, last.0 == t { out[out.count - 1].1 = n } else { out.append((t, n)) }
        }
        return out
    }

    /// A step line of how many leases a miner held, with the count at each change.
    private mutating func heldRow(_ tenures: [RunTimeline.LeaseTenure], scale: Int) {
        let h = 22.0
        laneLabel("leases held", height: h, cls: "sub", indent: 12)
        // The release of everything at shutdown is the end of the run, not a change worth drawing.
        let steps = Self.heldSteps(tenures).filter { $0.0 < t.shutdownNanoseconds }
        guard !steps.isEmpty, scale > 0 else {
            y += h + 2
            return
        }
        func yFor(_ n: Int) -> Double { y + h - 2 - Double(n) / Double(scale) * (h - 12) }
        var d = "M\(Markup.n(x(0))) \(Markup.n(yFor(0)))"
        var lastLabel = -1000.0
        var previous = 0
        for (time, n) in steps {
            let px = x(time)
            d += " H\(Markup.n(px)) V\(Markup.n(yFor(n)))"
            if n != previous, px - lastLabel >= 22 {
                text(px + 2, yFor(n) - 2, String(n), cls: "axis")
                lastLabel = px
            }
            previous = n
        }
        d += " H\(Markup.n(x(t.shutdownNanoseconds)))"
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"#495057\" stroke-width=\"1.5\"><title>leases held: \(Markup.escape(steps.map { "\(Markup.seconds($0.0, digits: 1)): \($0.1)" }.joined(separator: ", ")))</title></path>"
        y += h + 2
    }

    // MARK: Claims and proofs

    private struct Marker {
        let tone: HTMLReport.Tone
        let label: String
        let link: String
    }

    private mutating func submissionLanes() {
        section("claims · proofs · settlements")
        let sessions = Dictionary(t.sessions.map { ($0.end, $0) }, uniquingKeysWith: { a, _ in a })
        var claimSent: [(Int64, String, Bool)] = []
        var proofSent: [(Int64, String, Bool)] = []
        var claimsAt: [Int64: [Marker]] = [:]
        var proofsAt: [Int64: [Marker]] = [:]
        var settledAt: [Int64: [Marker]] = [:]
        var seenClaimTx: Set<String> = [], seenProofTx: Set<String> = []
        for (i, c) in t.claims.enumerated() {
            let who = "\(c.supplier) · \(c.application ?? "?") · \(c.service ?? "?") · session \(c.sessionStart)–\(c.sessionEnd)"
            let link = "claim-\(i)"
            for b in c.claim.broadcasts where seenClaimTx.insert("\(b.tx)@\(b.nanoseconds)").inserted {
                claimSent.append((b.nanoseconds, "claim tx \(b.tx.prefix(10)) by \(c.supplier) at h \(b.height)\(b.resubmit ? " (resubmit)" : "")\(b.admitted ? "" : " refused: \(b.log)")", b.admitted))
            }
            for b in c.proof.broadcasts where seenProofTx.insert("\(b.tx)@\(b.nanoseconds)").inserted {
                proofSent.append((b.nanoseconds, "proof tx \(b.tx.prefix(10)) by \(c.supplier) at h \(b.height)\(b.resubmit ? " (resubmit)" : "")\(b.admitted ? "" : " refused: \(b.log)")", b.admitted))
            }
            let window = sessions[c.sessionEnd]
            let claimHeight = c.claim.includedHeight ?? window?.claimClose ?? c.sessionEnd
            claimsAt[claimHeight, default: []].append(Marker(tone: HTMLReport.tone(c.claim.outcome), label: "claim \(who): \(c.claim.outcome)", link: link))
            if let tone = HTMLReport.tone(c.proof.outcome) {
                let h: Int64
                switch c.proof.outcome {
                case .notRequired: h = window?.proofOpen ?? claimHeight
                default: h = c.proof.includedHeight ?? c.proof.validationHeight ?? window?.proofClose ?? claimHeight
                }
                proofsAt[h, default: []].append(Marker(tone: tone, label: "proof \(who): \(c.proof.outcome)\(c.proof.requirement.map { " [\($0)]" } ?? "")", link: link))
            }
            if let s = c.settlement {
                settledAt[s.height, default: []].append(Marker(tone: HTMLReport.tone(s.outcome), label: "\(who): \(s.outcome) (\(s.claimedUPOKT) upokt)", link: link))
            }
        }
        lane("claims-sent") { $0.sentRow("claim txs sent", claimSent) }
        lane("claims") { $0.markerRow("claims on chain", claimsAt, what: "claims") }
        lane("proofs-sent") { $0.sentRow("proof txs sent", proofSent) }
        lane("proofs") { $0.markerRow("proofs", proofsAt, what: "proofs") }
        lane("settlements") { $0.markerRow("settlements", settledAt, what: "settlements") }
    }

    private mutating func sentRow(_ label: String, _ sent: [(Int64, String, Bool)]) {
        let h = 14.0
        laneLabel(label, height: h, cls: "sub")
        // One marker per block cell, with a count when several were sent in it.
        var byHeight: [Int64: [(Int64, String, Bool)]] = [:]
        for s in sent { byHeight[t.height(at: s.0), default: []].append(s) }
        for height in byHeight.keys.sorted() {
            let group = byHeight[height]!
            let px = x(group[0].0)
            let refused = group.contains { !$0.2 }
            let title = group.prefix(12).map(\.1).joined(separator: "\n") + (group.count > 12 ? "\n… \(group.count - 12) more" : "")
            body += "<path d=\"M\(Markup.n(px - 4)) \(Markup.n(y + 3)) h8 l-4 7 z\" fill=\"\(refused ? "#e03131" : "#495057")\"><title>\(Markup.escape(title))</title></path>"
            if group.count > 1 { text(px + 5, y + 11, "×\(group.count)", cls: "axis") }
        }
        y += h + 1
    }

    private mutating func markerRow(_ label: String, _ at: [Int64: [Marker]], what: String) {
        let maxCount = at.values.map(\.count).max() ?? 0
        let square = 7.0
        let individual = maxCount * Int(square) <= 56
        let h = individual ? max(16, Double(maxCount) * square + 4) : 48
        laneLabel(label, height: h, cls: "sub")
        for height in at.keys.sorted() {
            let markers = at[height]!.sorted { $0.tone.rank < $1.tone.rank }
            let cx = centre(height)
            let w = min(8, cellPixels - 3)
            if individual {
                for (i, m) in markers.enumerated() {
                    let my = y + h - 2 - Double(i + 1) * square
                    rect(cx - w / 2, my + 0.5, w, square - 1, fill: m.tone.colour, extra: m.tone == .miss ? " stroke=\"#343a40\"" : "",
                         title: "h \(height): \(m.label)", link: m.link)
                }
            } else {
                // Aggregated: one segment per outcome, height proportional to the count.
                var groups: [(HTMLReport.Tone, [Marker])] = []
                for m in markers {
                    if let last = groups.indices.last, groups[last].0 == m.tone { groups[last].1.append(m) } else { groups.append((m.tone, [m])) }
                }
                var top = y + h - 2
                for (tone, group) in groups {
                    let gh = max(2, (h - 14) * Double(group.count) / Double(maxCount))
                    top -= gh
                    let names = group.prefix(10).map(\.label).joined(separator: "\n") + (group.count > 10 ? "\n… \(group.count - 10) more" : "")
                    rect(cx - w / 2, top, w, gh, fill: tone.colour, title: "h \(height): \(group.count) \(what) \(tone.rawValue)\n\(names)", link: group[0].link)
                }
                text(cx, top - 2, String(markers.count), cls: "axis", anchor: "middle")
            }
        }
        y += h + 2
    }
}
