/// `clock.on_resume` (see the Resuming article): what a resumed paced run does with the
/// events that fell due while the daemon was down.
package enum ResumePolicy: String, Sendable, Equatable, CaseIterable {
    /// Publish them late (counted in the lateness histogram), then pace again.
    case catchUp = "catch_up"
    /// Publish none of them: one `skipped` marker per partition names the interval.
    case skip

    static func read(_ object: ConfigObject, reader: ConfigReader) -> ResumePolicy? {
        guard let node = object["on_resume"], let text = reader.string(node, at: object.path("on_resume")) else { return nil }
        guard let policy = ResumePolicy(rawValue: text) else {
            reader.report(object.path("on_resume"), "must be catch_up or skip (got \(text))")
            return nil
        }
        return policy
    }
}

extension ClockConfiguration {
    /// `on_resume`, or its default: `skip` in real time, `catch_up` otherwise.
    package var resumePolicy: ResumePolicy { onResume ?? (mode == .realtime && speed != nil ? .skip : .catchUp) }
}
