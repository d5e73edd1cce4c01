import CSystemShims

/// The calling thread's timer slack: how late the kernel may wake a sleeping
/// thread to batch wake-ups (50 µs by default on Linux). The pacer spins only
/// for the last 60 µs of each wait, so a wake-up up to 50 µs late eats most of
/// that margin; with 1 µs the sleep ends where it should. The systemd unit
/// sets the same with `TimerSlackNSec=1us`; this also covers a daemon started
/// any other way (and `bench`). Where it is refused, the default stays.
package enum TimerSlack {
    package static func setForThisThread(nanoseconds: UInt) {
        _ = llm_workload_set_timer_slack(nanoseconds)
    }
}
