import Foundation
import TestSupport
import Testing
import VeilBatch
import Volumes

/// Series made by Scripts/fixtures/make-volume-cases.py, whose every voxel is 2x + 3y + 5z of its
/// centre in patient coordinates: the affine Veil computes and the voxels it reads must agree
/// with each other and with the generator's truth (to the generator's rounding, ±0.5).
@Suite struct VolumeAssemblyTests {
    struct Truth: Decodable {
        var origin: [Double], columnStep: [Double], rowStep: [Double], sliceStep: [Double]
        var slices: Int, warnings: [String], missing: [Int], volumes: Int
        /// Volumes per 4-D image, and what time point t adds to every value (t × timeOffset).
        var timePoints: Int, timeOffset: Double
    }

    static let cases = [
        "shuffled-instance-numbers", "oblique", "gantry-tilt", "missing-slice", "duplicate-position",
        "per-slice-rescale", "sagittal-with-localizer", "coronal", "two-echoes", "enhanced-multiframe",
        "dynamic", "enhanced-temporal",
    ]

    @Test(arguments: cases)
    func affineAndVoxelsMatchTheTruth(name: String) throws {
        let caseFolder = try VolumeCases.folder(name)
        let truth = try JSONDecoder().decode(
            Truth.self, from: Data(contentsOf: caseFolder.appendingPathComponent("truth.json")))
        let files = try TestPaths.dicomFiles(in: caseFolder).map(\.path)
        let volumes = try SeriesReader.volumes(paths: files)
        #expect(volumes.count == truth.volumes)
        // Time points of one grid are one 4-D image, in time order; echoes stay apart.
        let images = TimeSeries.group(volumes)
        #expect(images.count == truth.volumes / truth.timePoints)
        #expect(images.allSatisfy { $0.count == truth.timePoints })
        for image in images {
            for (time, volume) in image.enumerated() {
                Self.expect(volume, matches: truth, offset: truth.timeOffset * Double(time))
            }
        }
    }

    /// `volume`'s geometry and warnings are the truth's, and each voxel is 2x + 3y + 5z + `offset`.
    static func expect(_ volume: Volume, matches truth: Truth, offset: Double) {
        #expect(volume.size.k == truth.slices)
        #expect(volume.size.i == 32 && volume.size.j == 24)
        let expected = AffineTransform(
            columnStep: Self.vector(truth.columnStep), rowStep: Self.vector(truth.rowStep),
            sliceStep: Self.vector(truth.sliceStep), origin: Self.vector(truth.origin))
        for (got, want) in [
            (volume.affine.columnStep, expected.columnStep), (volume.affine.rowStep, expected.rowStep),
            (volume.affine.sliceStep, expected.sliceStep), (volume.affine.origin, expected.origin),
        ] {
            #expect((got - want).length < 1e-4, "\(got) ≠ \(want)")
        }
        #expect(Set(volume.warnings.map(\.code)) == Set(truth.warnings))
        var wrong = 0
        for k in 0..<volume.size.k {
            for j in 0..<volume.size.j {
                for i in 0..<volume.size.i {
                    let value = volume[i, j, k]
                    if truth.missing.contains(k) {
                        if !value.isNaN { wrong += 1 }
                        continue
                    }
                    let p = volume.patientPoint(i, j, k)
                    if abs(Double(value) - (2 * p.x + 3 * p.y + 5 * p.z + offset)) > 0.5001 { wrong += 1 }
                }
            }
        }
        #expect(wrong == 0)
    }

    /// Reading the same series from files given in any order gives the same volume.
    @Test func fileOrderDoesNotMatter() throws {
        let files = try TestPaths.dicomFiles(in: VolumeCases.folder("oblique")).map(\.path)
        let forward = try #require(try SeriesReader.volumes(paths: files).first)
        let backward = try #require(try SeriesReader.volumes(paths: files.reversed()).first)
        #expect(forward.voxels == backward.voxels)
        #expect(forward.affine == backward.affine)
    }

    /// Files that are not images in patient space are no volume, and no error.
    @Test func reportsMakeNoVolume() throws {
        let report = TestPaths.testData.appendingPathComponent("corpus/pydicom/test-SR.dcm").path
        #expect(try SeriesReader.volumes(paths: [report]).isEmpty)
    }

    static func vector(_ values: [Double]) -> Vector3 { Vector3(values[0], values[1], values[2]) }
}
