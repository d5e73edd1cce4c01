/// The requests on their way to the service, each in a slab slot, with the
/// slot of its session kept in a parallel array (beside the request, not
/// wrapped with it, so that a slot's value stays within the size the
/// compiler copies inline).
struct InFlightRequests: Sendable {
    var requests = Slab<RequestEvent>()
    /// `sessionSlots[i]`: the session of the request in slot i (stale when i is free).
    var sessionSlots: ContiguousArray<Int32> = []

    init() {}

    var liveCount: Int { requests.liveCount }

    @inline(__always)
    mutating func insert(_ request: RequestEvent, sessionSlot: Int32) -> Int32 {
        let slot = requests.insert(request)
        if Int(slot) == sessionSlots.count {
            sessionSlots.append(sessionSlot)
        } else {
            sessionSlots[Int(slot)] = sessionSlot
        }
        return slot
    }

    @inline(__always)
    mutating func remove(_ slot: Int32) -> (request: RequestEvent, sessionSlot: Int32) {
        (requests.remove(slot), sessionSlots[Int(slot)])
    }
}
