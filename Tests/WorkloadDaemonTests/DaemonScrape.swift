import Foundation
import Glibc
import Synchronization
import TestSupport

/// Scrapes `/metrics` every `interval` seconds on a thread of its own until stopped,
/// keeping each successful scrape with its time (seconds since the scraper started).
final class MetricsScraper: Sendable {
    struct Scrape: Sendable {
        var at: Double
        var body: String
    }

    private let scrapes = Mutex<[Scrape]>([])
    private let running = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)
    /// The origin of `Scrape.at`.
    let start = Date()

    init(port: UInt16, interval: Double) {
        let start = self.start
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                if let (status, body) = try? httpGet(port: port, path: "/metrics"), status == 200 {
                    let scrape = Scrape(at: Date().timeIntervalSince(start), body: body)
                    scrapes.withLock { $0.append(scrape) }
                }
                pause(interval)
            }
            done.signal()
        }
        thread.name = "metrics-scraper"
        thread.start()
    }

    /// Stops scraping and returns every scrape, oldest first.
    func finish() -> [Scrape] {
        running.store(false, ordering: .relaxed)
        done.wait()
        return scrapes.withLock { $0 }
    }
}
