import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

/// Every text value of pydicom's character set files, at every depth, reads as pydicom reads it.
@Suite struct CharacterSetTests {
    static func files() throws -> [URL] { try TestPaths.dicomFiles(in: TestPaths.pydicomCharsetFiles) }

    @Test func charsetFilesReadAsPydicomReadsThem() throws {
        let files = try Self.files()
        #expect(files.count >= 15)
        let expected = try PydicomText.read(files.map(\.path))
        for file in files {
            let dataSet = try DICOMFile(path: file.path).read().dataSet
            var values: [String: String] = [:]
            Self.collect(dataSet, prefix: "", characterSet: .default, into: &values)
            let theirs = try #require(expected[file.path])
            for pair in theirs {
                #expect(values[pair[0]] == pair[1], "\(file.lastPathComponent) \(pair[0])")
            }
            #expect(values.count == theirs.count, "\(file.lastPathComponent)")
        }
    }

    private static func collect(
        _ dataSet: DataSet, prefix: String, characterSet enclosing: SpecificCharacterSet,
        into values: inout [String: String]
    ) {
        let characterSet = SpecificCharacterSet(of: dataSet, inheriting: enclosing)
        for element in dataSet.elements {
            let path = prefix + element.tag.description
            if element.tag.isPrivate { continue }  // read as UN in implicit VR files, as text by pydicom
            if let items = element.items {
                for (index, item) in items.enumerated() {
                    collect(item, prefix: "\(path)[\(index)]", characterSet: characterSet, into: &values)
                }
            } else if SpecificCharacterSet.applies(to: element.vr) {
                var text = element.strings(in: characterSet).joined(separator: "\\")
                // pydicom prints a name without its empty trailing component groups.
                while element.vr == .PN, let last = text.last, last == "=" { text.removeLast() }
                if !text.isEmpty { values[path] = text }
            }
        }
    }
}
