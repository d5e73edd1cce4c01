import Foundation
import WorkloadModel

/// What a trace says of response times, for `fit`: in our own stream, the
/// `completion` events (each request's first token and completion). Think
/// times are next send - previous completion; TTFT is first token - arrival
/// (a prefill rate cannot be told apart from it, so it is folded in); TPOT is
/// (completion - first token) / output tokens.
package struct ServiceSample: Sendable {
    package var thinkTimes: [Double] = []
    package var ttfts: [Double] = []
    package var tpots: [Double] = []
    /// Later turns sent before their dependency completed (an open-loop stream).
    package var earlySends = 0

    /// Completion-anchored when (almost) no later turn was sent before the
    /// response it carries: then think times are what the clients did.
    package var isClosedLoop: Bool {
        !thinkTimes.isEmpty && Double(earlySends) <= 0.01 * Double(thinkTimes.count + earlySends)
    }

    /// Reads the requests and completions of one of our streams; nil without completion events.
    package static func read(path: String) -> ServiceSample? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        struct Request { var arrival: Double; var sentAt: Double; var output: Double; var dependency: String? }
        var requests: [String: Request] = [:]
        var completions: [String: (time: Double, firstToken: Double)] = [:]
        for line in text.split(separator: "\n") where line.contains("\"type\":\"request\"") || line.contains("\"type\":\"completion\"") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let id = object["request_id"] as? String, let time = (object["time_s"] as? NSNumber)?.doubleValue else { continue }
            if object["type"] as? String == "completion" {
                guard let first = (object["first_token_s"] as? NSNumber)?.doubleValue else { continue }
                completions[id] = (time, first)
                continue
            }
            let turn = (object["turn"] as? NSNumber)?.intValue ?? 1
            let session = object["session_id"] as? String ?? ""
            let dependency = (object["depends_on"] as? [String])?.last ?? (turn >= 2 ? "\(session)-\(turn - 1)" : nil)
            requests[id] = Request(arrival: time, sentAt: (object["sent_at_s"] as? NSNumber)?.doubleValue ?? time,
                                   output: (object["output_tokens"] as? NSNumber)?.doubleValue ?? 0, dependency: dependency)
        }
        guard !completions.isEmpty else { return nil }
        var sample = ServiceSample()
        // In request-ID order, so that the sample (and the fit) is the same on every run.
        for (id, request) in requests.sorted(by: { $0.key < $1.key }) {
            if let done = completions[id] {
                sample.ttfts.append(Swift.max(0, done.firstToken - request.arrival))
                if request.output > 0 { sample.tpots.append(Swift.max(0, done.time - done.firstToken) / request.output) }
            }
            if let dependency = request.dependency, let previous = completions[dependency] {
                let think = request.sentAt - previous.time
                if think < 0 { sample.earlySends += 1 } else { sample.thinkTimes.append(think) }
            }
        }
        return sample
    }
}
