import Foundation

/// Head series with faces, made by Scripts/make-head-series.py into TestData/heads (by
/// Scripts/fetch-test-corpus.sh, or here when missing).
public enum HeadSeries {
    public static func folder() -> URL {
        let folder = TestPaths.testData.appendingPathComponent("heads")
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("complete").path) {
            let wheel = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.testData.appendingPathComponent("downloads").path))?
                .first { $0.hasPrefix("pydeface-") && $0.hasSuffix(".whl") }
            if let wheel {
                _ = try? ExternalTool.run("python3", [
                    TestPaths.repository.appendingPathComponent("Scripts/make-head-series.py").path,
                    TestPaths.testData.appendingPathComponent("downloads").appendingPathComponent(wheel).path, folder.path,
                ], environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
            }
        }
        return folder
    }

    /// A truth mask: packed bits, least significant first, voxel order i fastest.
    public static func bits(_ url: URL, count: Int) throws -> [Bool] {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count * 8 >= count else { throw CocoaError(.fileReadCorruptFile) }
        return (0..<count).map { bytes[$0 >> 3] & (1 << ($0 & 7)) != 0 }
    }
}
