import Foundation
import TestSupport
import Testing
import VeilBatch
import Volumes

@testable import Representations

/// The QA picture outlines what burned-in text cleaning masked, and changes nothing else.
@Suite struct QARenderTests {
    @Test func outlinesMaskedTextOnTheMidSliceAndTheProjection() throws {
        let files = try TestPaths.dicomFiles(in: VolumeCases.folder("coronal")).map(\.path)
        let volume = try #require(try SeriesReader.volumes(paths: files).first)
        let plain = QARender.picture(of: volume, isCT: true, masked: nil)
        // A box in every slice, a quarter of the image in from the first corner.
        let (ni, nj) = (volume.size.i, volume.size.j)
        var masked = [Bool](repeating: false, count: volume.count)
        for k in 0..<volume.size.k {
            for j in nj / 4..<nj / 2 { for i in ni / 4..<ni / 2 { masked[i + ni * (j + nj * k)] = true } }
        }
        let outlined = QARender.picture(of: volume, isCT: true, masked: masked)
        let changed = plain.indices.filter { plain[$0] != outlined[$0] }
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { outlined[$0] == 255 }, "outlines are white, nothing else changes")
        // Only the four slice and projection tiles carry outlines, never the surface renders.
        let n = QARender.tile
        #expect(changed.allSatisfy { p in !(p / (3 * n) >= n && (p % (3 * n)) / n >= 1) })
        #expect(
            QARender.picture(of: volume, isCT: true, masked: [Bool](repeating: false, count: volume.count)) == plain)
    }
}
