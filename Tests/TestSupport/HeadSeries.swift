import Foundation

/// Head series with faces, made by Scripts/fixtures/make-head-series.py into TestData/heads (by
/// Scripts/prepare-test-data.sh).
public enum HeadSeries {
    public static func folder() throws -> URL {
        try TestPaths.fixture("heads", completeWhen: "heads/complete")
    }

    /// A truth mask: packed bits, least significant first, voxel order i fastest.
    public static func bits(_ url: URL, count: Int) throws -> [Bool] {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count * 8 >= count else { throw CocoaError(.fileReadCorruptFile) }
        return (0..<count).map { bytes[$0 >> 3] & (1 << ($0 & 7)) != 0 }
    }
}
