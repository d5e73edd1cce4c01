import Testing
import WorkloadTraces

extension FitTable {
    /// Every judged figure is met except those in `knownMisses` (figure to the reason it is not),
    /// which must still miss, so that the list shrinks when a fix lands. `label` names the case and
    /// `against` what the generated streams were judged against, in the messages.
    func expectMet(except knownMisses: [String: String], label: String, against: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
        for row in rows where !row.informational {
            if let reason = knownMisses[row.figure] {
                #expect(!row.met, "\(label): \(row.figure) is now met (\(row.difference) <= \(row.tolerance)); drop it from the known misses (\(reason))",
                        sourceLocation: sourceLocation)
            } else {
                #expect(row.met, "\(label): \(row.figure): \(against) \(row.real), generated \(row.generated), difference \(row.difference) > \(row.tolerance)",
                        sourceLocation: sourceLocation)
            }
        }
        #expect(Set(knownMisses.keys).isSubset(of: Set(rows.map(\.figure))), "known misses name the table's figures", sourceLocation: sourceLocation)
    }
}
