import Synchronization

/// Set by SIGINT/SIGTERM so that long commands stop cleanly.
final class StopFlag: Sendable {
    static let shared = StopFlag()
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
