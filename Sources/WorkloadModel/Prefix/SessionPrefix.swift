/// A session's shared prefix items, their tokens and its content
/// lineage. The engine keeps one per session slot, beside `SessionState`, and
/// only when the workload has a `PrefixCatalog`: the default path's session
/// state stays small.
struct SessionPrefix: Sendable {
    var items = PrefixItems.none
    var sharedTokens: Int64 = 0
    /// The turn that began the session content's current lineage (0: none
    /// yet); see `RequestEvent.lineage`.
    var lineageTurn: Int32 = 0

    init() {}
}
