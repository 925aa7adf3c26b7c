import Testing

@testable import Volumes

/// Uneven slice steps, tilted or not: after resampling, every voxel's value is the value at the
/// place the affine gives it (here the slices hold their own z, which interpolation keeps exact).
@Suite struct EvenSpacingTests {
    static func volume(steps: [Double], direction: Vector3) -> Volume {
        var distance = 0.0
        var distances = [0.0]
        for step in steps {
            distance += step
            distances.append(distance)
        }
        let headers = distances.enumerated().map { index, distance in
            SliceHeader(
                source: index, frame: 0, position: Vector3(-10, -20, 30) + direction.normalized * distance,
                rowDirection: Vector3(1, 0, 0), columnDirection: Vector3(0, 1, 0), rowSpacing: 0.5,
                columnSpacing: 0.5, rows: 2, columns: 2, rescaleSlope: 1, rescaleIntercept: 0,
                seriesInstanceUID: "1.2.3", stackKey: "", instanceNumber: index, acquisitionNumber: 1,
                isLocalizer: false)
        }
        let layout = SeriesAssembler.assemble(headers)[0]
        var voxels: [Float] = []
        for slice in layout.slices { voxels += Array(repeating: Float(slice!.position.z), count: 4) }
        return Volume(
            size: (2, 2, layout.slices.count), voxels: voxels, affine: layout.affine,
            warnings: layout.warnings, layout: layout)
    }

    @Test(arguments: [Vector3(0, 0, 1), Vector3(0, 0.33, 1)])
    func unevenStepsAreResampledWhereTheyBelong(direction: Vector3) {
        let uneven = Self.volume(steps: [4.22, 1.14, 7.38, 4.2, 4.25], direction: direction)
        #expect(uneven.warnings.contains { $0.code == "non-uniform-spacing" })
        let even = uneven.evenlySpaced()
        #expect(even.warnings.contains { $0.code == "resampled-even-spacing" })
        #expect(even.size.k == 6)
        for k in 0..<even.size.k {
            #expect(abs(Double(even[0, 0, k]) - even.patientPoint(0, 0, k).z) < 1e-3, "slice \(k)")
        }
        // The last voxel is the last acquired slice.
        let lastAcquired = uneven.layout.slices.last!!.position
        #expect((even.patientPoint(0, 0, even.size.k - 1) - lastAcquired).length < 1e-9)
    }

    @Test func evenStepsAreLeftAsAcquired() {
        let even = Self.volume(steps: [2, 2, 2], direction: Vector3(0, 0, 1))
        #expect(even.evenlySpaced().voxels == even.voxels)
    }
}
