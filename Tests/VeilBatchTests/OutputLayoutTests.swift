import Deidentification
import Testing
import VeilBatch

/// Output paths come from UIDs, which a file (with Retain UIDs, or through a UID the standard
/// defines) can make anything: no path may leave the output folder or hide itself.
@Suite struct OutputLayoutTests {
    static let hostile = [
        "../../../etc/passwd", "..", ".", "/", "/abs/olute", "1.2/../../3", "", "1.2\u{0}3", "\n1.2",
        "………", ".5", "..5", String(repeating: "9", count: 200), "1.2.840.10008.5.1.4.1.1.2", "-rf", "~root",
    ]

    @Test(arguments: hostile)
    func pathsStayInsideTheOutputFolder(uid: String) {
        let identifiers = OutputIdentifiers(
            studyInstanceUID: uid, seriesInstanceUID: uid, sopInstanceUID: uid, sopClassUID: uid)
        for path in [OutputLayout.relativePath(for: identifiers), OutputLayout.mediaPath(for: identifiers)] {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            #expect(components.count == (path.hasPrefix("DICOM/") ? 4 : 3), "\(path)")
            for component in components {
                #expect(!component.isEmpty && component != "." && component != "..", "\(path)")
                #expect(!component.hasPrefix("."), "hidden or relative component in \(path)")
                #expect(component.utf8.count <= 68)
                #expect(component.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }, "\(path)")
            }
        }
    }
}
