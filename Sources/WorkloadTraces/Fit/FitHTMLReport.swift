import WorkloadConfig

/// `fit --report`: one self-contained HTML file (inline SVG and CSS, no
/// scripts, no network fetches) with the goodness-of-fit table, the charts
/// of the trace against the first generated stream (seed 1), and the
/// configuration written.
package struct FitHTMLReport {
    package var result: FitResult
    package var title: String

    package init(result: FitResult, title: String) {
        self.result = result
        self.title = title
    }

    static let traceColor = "#1f77b4", generatedColor = "#d62728"

    var charts: [SVGChart] {
        let real = result.real, generated = result.runs[0]
        func pair(_ a: [(x: Double, y: Double)], _ b: [(x: Double, y: Double)]) -> [SVGChart.Series] {
            [.init(name: "trace", color: Self.traceColor, points: a), .init(name: "generated (seed 1)", color: Self.generatedColor, points: b)]
        }
        var charts = [
            SVGChart(title: "Request gaps (CDF)", xLabel: "seconds", yLabel: "P(gap <= x)", logX: true,
                     series: pair(SVGChart.cdf(real.sortedGaps), SVGChart.cdf(generated.sortedGaps))),
            SVGChart(title: "Prompt tokens (CDF)", xLabel: "tokens", yLabel: "P(prompt <= x)", logX: true,
                     series: pair(SVGChart.cdf(real.sortedPrompt), SVGChart.cdf(generated.sortedPrompt))),
            SVGChart(title: "Output tokens (CDF)", xLabel: "tokens", yLabel: "P(output <= x)", logX: true,
                     series: pair(SVGChart.cdf(real.sortedOutput), SVGChart.cdf(generated.sortedOutput))),
            SVGChart(title: "Requests per minute", xLabel: "minute", yLabel: "requests",
                     series: pair(minutes(real.perMinute), minutes(generated.perMinute))),
            SVGChart(title: "Index of dispersion vs window", xLabel: "window (s)", yLabel: "IDC of request counts", logX: true, logY: true,
                     series: pair(real.idcCurve.map { ($0.window, $0.idc) }, generated.idcCurve.map { ($0.window, $0.idc) })),
        ]
        if !real.reuseByPosition.isEmpty {
            charts.append(SVGChart(title: "Block reuse by position", xLabel: "block position", yLabel: "share seen before",
                                   series: pair(positions(real.reuseByPosition), positions(generated.reuseByPosition))))
        }
        return charts
    }

    private func minutes(_ counts: [Double]) -> [(x: Double, y: Double)] {
        // The last minute is usually partial: left out.
        counts.dropLast().enumerated().map { (Double($0.offset), $0.element) }
    }

    private func positions(_ shares: [Double]) -> [(x: Double, y: Double)] {
        shares.enumerated().map { (Double($0.offset), $0.element) }
    }

    package var html: String {
        let table = result.table
        var rows = ""
        for row in table.rows {
            let cells = table.cells(row)
            let status = row.informational ? "info" : (row.met ? "met" : "missed")
            rows += "<tr class=\"\(status)\">" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>fit: \(escape(title))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
            table { border-collapse: collapse; margin-bottom: 24px; }
            td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
            td:first-child, th:first-child { text-align: left; }
            tr.met td:last-child { color: #1a7f37; font-weight: bold; }
            tr.missed td:last-child { color: #cf222e; font-weight: bold; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            pre { background: #f6f8fa; padding: 12px; font-size: 11px; white-space: pre-wrap; word-break: break-all; max-height: 400px; overflow: auto; }
            </style></head><body>
            <h1>llm-workload fit: \(escape(title))</h1>
            <p>\(result.real.requests) requests over \(String(format: "%.1f", result.real.span)) s in the trace; generated streams from the fitted configuration with seeds \(TraceFitter.evaluationSeeds.map(String.init).joined(separator: ", ")) (the table averages them; the charts show seed 1).</p>
            <h2>Goodness of fit</h2>
            <table><tr><th>figure</th><th>trace</th><th>generated</th><th>difference</th><th>tolerance</th><th>met</th></tr>
            \(rows)</table>
            <h2>Charts</h2>
            <div class="charts">
            \(charts.map(\.svg).joined(separator: "\n"))
            </div>
            <h2>Configuration written</h2>
            <pre>\(escape(result.yaml))</pre>
            </body></html>

            """
    }
}
