import DICOMCore
import Testing

@Suite struct UIDPlausibilityTests {
    /// Plausible: 1 to 64 digits and dots, leading zeros and empty components included (real
    /// files carry them); nothing else.
    @Test func plausibleUIDs() {
        for uid in ["1.2.840.10008.1.2", "1", "01.2", "1..2", ".", String(repeating: "1", count: 64)] {
            #expect(UID.isPlausible(uid), "\(uid)")
        }
        for uid in ["", "1.2 ", "1.2\u{0}", "1.2a", "1,2", String(repeating: "1", count: 65), "１.２"] {
            #expect(!UID.isPlausible(uid), "\(uid)")
        }
        #expect(UID.isPlausible(utf8: Array("1.2.3".utf8)))
        #expect(!UID.isPlausible(utf8: [0x31, 0x00]))
        // Plausible is looser than valid.
        #expect(UID.isPlausible("1.02") && !UID.isValid("1.02"))
    }
}
