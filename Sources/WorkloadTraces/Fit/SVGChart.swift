import Foundation

/// A small line chart as inline SVG (no scripts, no fetches): axes with a
/// few ticks, one polyline per series, a legend. Log axes for positive data.
struct SVGChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var logX = false
    var logY = false
    var series: [Series]
    let width = 520.0, height = 320.0
    let left = 64.0, right = 16.0, top = 32.0, bottom = 48.0

    var svg: String {
        func tx(_ x: Double) -> Double { logX ? log10(Swift.max(x, 1e-12)) : x }
        func ty(_ y: Double) -> Double { logY ? log10(Swift.max(y, 1e-12)) : y }
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) && (!logY || $0.y > 0) }
        guard !all.isEmpty else { return "<p>\(escape(title)): no data</p>" }
        var x0 = all.map { tx($0.x) }.min()!, x1 = all.map { tx($0.x) }.max()!
        var y0 = logY ? all.map { ty($0.y) }.min()! : Swift.min(0, all.map(\.y).min()!), y1 = all.map { ty($0.y) }.max()!
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        if logX { x0 = x0.rounded(.down); x1 = x1.rounded(.up) }
        if logY { y0 = y0.rounded(.down); y1 = y1.rounded(.up) }
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (ty(y) - y0) / (y1 - y0) * plotH }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>"
        out += "<text x=\"\(Int(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#888\"/>"
        for i in 0...4 {
            let fx = Double(i) / 4, fy = Double(i) / 4
            let vx = x0 + fx * (x1 - x0), vy = y0 + fy * (y1 - y0)
            let sx = left + fx * plotW, sy = top + plotH - fy * plotH
            out += "<line x1=\"\(sx)\" y1=\"\(top)\" x2=\"\(sx)\" y2=\"\(top + plotH)\" stroke=\"#eee\"/>"
            out += "<line x1=\"\(left)\" y1=\"\(sy)\" x2=\"\(left + plotW)\" y2=\"\(sy)\" stroke=\"#eee\"/>"
            out += "<text x=\"\(sx)\" y=\"\(top + plotH + 14)\" text-anchor=\"middle\">\(tick(logX ? pow(10, vx) : vx))</text>"
            out += "<text x=\"\(left - 4)\" y=\"\(sy + 4)\" text-anchor=\"end\">\(tick(logY ? pow(10, vy) : vy))</text>"
        }
        out += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        out += "<text x=\"14\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(top + plotH / 2))\">\(escape(yLabel))</text>"
        for (index, s) in series.enumerated() {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) && (!logY || $0.y > 0) }
            let path = points.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            let ly = top + 12 + Double(index) * 14
            out += "<line x1=\"\(left + 8)\" y1=\"\(ly)\" x2=\"\(left + 28)\" y2=\"\(ly)\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(left + 32)\" y=\"\(ly + 4)\">\(escape(s.name))</text>"
        }
        return out + "</svg>"
    }

    /// An empirical CDF of a sorted sample, thinned to about `count` points.
    static func cdf(_ sorted: [Double], count: Int = 300) -> [(x: Double, y: Double)] {
        guard !sorted.isEmpty else { return [] }
        let step = Swift.max(1, sorted.count / count)
        var points = stride(from: 0, to: sorted.count, by: step).map { (x: sorted[$0], y: Double($0 + 1) / Double(sorted.count)) }
        points.append((sorted[sorted.count - 1], 1))
        return points
    }

    private func tick(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 10_000 || (magnitude < 0.01 && magnitude > 0) { return String(format: "%.0e", value) }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        return String(format: "%.3g", value)
    }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}
