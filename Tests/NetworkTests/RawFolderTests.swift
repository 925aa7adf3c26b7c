import Foundation
import TestSupport
import Testing
import VeilNetwork

/// Originals left by a pull killed outright are removed by the next one; a live pull's stay.
@Suite struct RawFolderTests {
    @Test(.temporaryFolder) func abandonedFoldersGoLiveOnesStay() throws {
        let base = try TemporaryFolder.current.path
        let mine = try #require(RawFolder.make(in: base))
        try Data("PHI".utf8).write(to: URL(fileURLWithPath: mine).appendingPathComponent("received-0.dcm"))
        #expect(try FileManager.default.attributesOfItem(atPath: mine)[.posixPermissions] as? Int == 0o700)
        // A process id no process has (above the kernel's maximum).
        let gone = (base as NSString).appendingPathComponent("veil-pull-99999999-abcdef")
        try FileManager.default.createDirectory(atPath: gone, withIntermediateDirectories: true)
        try Data("PHI".utf8).write(to: URL(fileURLWithPath: gone).appendingPathComponent("received-0.dcm"))
        let other = (base as NSString).appendingPathComponent("unrelated-99999999")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)

        #expect(RawFolder.removeAbandoned(in: base) == ["veil-pull-99999999-abcdef"])
        #expect(!FileManager.default.fileExists(atPath: gone))
        #expect(FileManager.default.fileExists(atPath: mine))
        #expect(FileManager.default.fileExists(atPath: other))
    }
}
