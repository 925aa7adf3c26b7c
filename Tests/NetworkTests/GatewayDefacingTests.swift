import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

/// A route with `deface: true`: a head series sent to the gateway arrives at B defaced, as
/// `veil anonymize --deface` writes it with the same key.
extension GatewayTests {
    @Test func defacingRouteGivesTheFilesVeilAnonymizeDefaceWritesMarkedWithoutRecognizableFeatures() throws {
        let servers = try OrthancServers(loadCorpus: false)
        let gateway = try GatewayProcess(servers, routeOptions: ["deface: true"])
        try gateway.start()
        // An MR head series (Body Part Examined HEAD), sent by DCMTK's storescu in one association.
        let slices = try Self.headSlices("head01")
        try gateway.store(slices)
        try gateway.waitUntilSettled()
        #expect(gateway.stop() == 0, "\(gateway.log)")

        let input = servers.folder.file("head").path
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for slice in slices {
            try FileManager.default.copyItem(atPath: slice, toPath: "\(input)/\((slice as NSString).lastPathComponent)")
        }
        let offline = servers.folder.file("offline").path
        let anonymize = try ExternalTool.run(
            Binaries.veil, ["anonymize", input, "--output", offline, "--key-file", servers.keyFile, "--deface"])
        #expect(anonymize.status == 0, "\(anonymize.standardError.suffix(300))")
        let expected = try Self.outputsBySOP(offline)
        var delivered: [String: Data] = [:]
        let done = gateway.spool + "/done/VEIL"
        for unit in try FileManager.default.contentsOfDirectory(atPath: done) {
            delivered.merge(try Self.outputsBySOP("\(done)/\(unit)/out")) { first, _ in first }
            // Every instance went through the defacing pass.
            let files = try Self.jsonLines("\(done)/\(unit)/out/manifest.jsonl").filter {
                $0["type"] as? String == "file"
            }
            #expect(!files.isEmpty && files.allSatisfy { $0["defacing"] != nil }, "an instance was not defaced")
        }
        #expect(delivered.count == slices.count)
        #expect(Set(delivered.keys) == Set(expected.keys))
        #expect(try servers.sopInstanceUIDs(servers.b) == Set(delivered.keys))

        // The same files, or where reception changed the encoding, the same data sets: the same pixels.
        for (sop, data) in delivered {
            guard let reference = expected[sop] else { continue }
            if reference == data { continue }
            #expect(
                try servers.sameDataSet(data, reference),
                "the gateway's defaced output differs from veil anonymize --deface")
        }
        // What B holds says the face is gone.
        let received = servers.folder.file("received.dcm").path
        var marked = 0
        for data in try servers.allInstanceFiles(servers.b) {
            try data.write(to: URL(fileURLWithPath: received))
            let dataSet = try DICOMFile(path: received).read().dataSet
            if dataSet.string(.recognizableVisualFeatures) == "NO" { marked += 1 }
        }
        #expect(marked == slices.count)
    }
}
