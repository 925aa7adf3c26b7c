import Foundation
import TestSupport
import Testing
import Volumes

@testable import Defacing

/// A real head (a research volunteer's T1 with neck, niivue-demo-images, BSD-2-Clause), at 3.2 mm,
/// with reference brain and face masks made without Veil (MNI152's brain mask and pydeface's face
/// mask registered to it with SimpleITK: Scripts/fixtures/make-real-head-fixture.py,
/// docs/deface-accuracy.md). The same head is presented in three voxel layouts (as acquired, as
/// if sagittal, as if prone): the anatomy in patient coordinates is the same, the arrays are not.
@Suite struct RealHeadTests {
    struct Fixture: Decodable {
        var size: [Int]
        var columnStep: [Double], rowStep: [Double], sliceStep: [Double], origin: [Double]
    }

    struct Head {
        var volume: Volume
        var brain: [Bool]
        var face: [Bool]
    }

    static func load() throws -> Head {
        let stem = TestPaths.repository.appendingPathComponent("Tests/Fixtures/heads/t1-head-ext2-3.2mm")
        let fixture = try JSONDecoder().decode(
            Fixture.self, from: Data(contentsOf: stem.appendingPathExtension("json")))
        let size = (i: fixture.size[0], j: fixture.size[1], k: fixture.size[2])
        let count = size.i * size.j * size.k
        let bytes = [UInt8](try Data(contentsOf: stem.appendingPathExtension("u8")))
        try #require(bytes.count == count)
        func vector(_ v: [Double]) -> Vector3 { Vector3(v[0], v[1], v[2]) }
        let affine = AffineTransform(
            columnStep: vector(fixture.columnStep), rowStep: vector(fixture.rowStep),
            sliceStep: vector(fixture.sliceStep), origin: vector(fixture.origin))
        return Head(
            volume: Volume(
                size: size, voxels: bytes.map(Float.init), affine: affine, warnings: [],
                layout: StackLayout(slices: [], affine: affine, warnings: [])),
            brain: try HeadSeries.bits(stem.appendingPathExtension("brain.bits"), count: count),
            face: try HeadSeries.bits(stem.appendingPathExtension("face.bits"), count: count))
    }

    enum Layout: String, CaseIterable, CustomStringConvertible {
        case acquired, sagittal, prone
        var description: String { rawValue }
    }

    /// The head in another voxel layout, with the affine that keeps every voxel where it was.
    static func relaid(_ head: Head, _ layout: Layout) -> Head {
        let v = head.volume
        let (ni, nj, nk) = (v.size.i, v.size.j, v.size.k)
        let a = v.affine
        switch layout {
        case .acquired:
            return head
        case .sagittal:
            // New i = old k, new j = old i, new k = old j.
            let size = (i: nk, j: ni, k: nj)
            let affine = AffineTransform(
                columnStep: a.sliceStep, rowStep: a.columnStep, sliceStep: a.rowStep, origin: a.origin)
            func move<T>(_ values: [T]) -> [T] {
                var out = values
                for k in 0..<nk {
                    for j in 0..<nj { for i in 0..<ni { out[k + nk * (i + ni * j)] = values[i + ni * (j + nj * k)] } }
                }
                return out
            }
            return Head(
                volume: Volume(
                    size: size, voxels: move(v.voxels), affine: affine, warnings: [],
                    layout: StackLayout(slices: [], affine: affine, warnings: [])),
                brain: move(head.brain), face: move(head.face))
        case .prone:
            // Rows and columns reversed, as a scanner writes a patient lying face down.
            let affine = AffineTransform(
                columnStep: a.columnStep * -1, rowStep: a.rowStep * -1, sliceStep: a.sliceStep,
                origin: a.patientPoint(i: Double(ni - 1), j: Double(nj - 1), k: 0))
            func move<T>(_ values: [T]) -> [T] {
                var out = values
                for k in 0..<nk {
                    for j in 0..<nj {
                        for i in 0..<ni {
                            out[(ni - 1 - i) + ni * ((nj - 1 - j) + nj * k)] = values[i + ni * (j + nj * k)]
                        }
                    }
                }
                return out
            }
            return Head(
                volume: Volume(
                    size: v.size, voxels: move(v.voxels), affine: affine, warnings: [],
                    layout: StackLayout(slices: [], affine: affine, warnings: [])),
                brain: move(head.brain), face: move(head.face))
        }
    }

    /// The brain estimate, grown by the defacer's margin, covers the reference brain (all but a
    /// few voxels at the bottom of the medulla, where the estimate's erosion cuts the narrow
    /// brainstem: behind the face, where nothing is removed); and it is the brain, not the head:
    /// most of it lies in the reference brain.
    @Test(arguments: Layout.allCases)
    func theBrainEstimateIsTheSubjectsBrain(layout: Layout) throws {
        let head = Self.relaid(try Self.load(), layout)
        let defacer = Defacer()
        let located = try defacer.locate(head.volume, isCT: false)
        let (grid, estimate) = (located.grid, located.brain)
        let distance = DistanceTransform.distances(to: estimate.mask, size: grid.size, spacing: grid.spacing)
        var (uncovered, inside, total) = (0, 0, 0)
        for k in 0..<head.volume.size.k {
            for j in 0..<head.volume.size.j {
                for i in 0..<head.volume.size.i {
                    let p = head.volume.index(i, j, k)
                    let w = grid.index(native: i, j, k)
                    if head.brain[p], Double(distance[w]) > defacer.margin { uncovered += 1 }
                    if estimate.mask[w] {
                        total += 1
                        if head.brain[p] { inside += 1 }
                    }
                }
            }
        }
        #expect(Double(uncovered) <= 0.0005 * Double(head.brain.lazy.filter { $0 }.count), "\(uncovered) uncovered")
        #expect(Double(inside) >= 0.9 * Double(total), "\(inside) of \(total) estimate voxels in the reference brain")
        #expect((900...1_700).contains(estimate.volume / 1000))
    }

    /// Defacing the real head: no reference brain voxel removed, most of the reference face removed.
    @Test(arguments: Layout.allCases)
    func theFaceGoesAndTheBrainStays(layout: Layout) throws {
        let head = Self.relaid(try Self.load(), layout)
        let result = try Defacer().deface(head.volume, isCT: false)
        var (brainRemoved, faceRemoved, faceTotal) = (0, 0, 0)
        for p in result.removed.indices {
            if head.brain[p], result.removed[p] { brainRemoved += 1 }
            if head.face[p] {
                faceTotal += 1
                if result.removed[p] { faceRemoved += 1 }
            }
        }
        #expect(brainRemoved == 0)
        #expect(Double(faceRemoved) >= 0.85 * Double(faceTotal), "\(faceRemoved) of \(faceTotal) face voxels removed")
        #expect(result.viewsWithFaceAfter == 0)
    }

    /// The protection follows the contrast: 11 mm around the T1 estimate, which leaves the CSF out.
    @Test func aT1EstimateKeepsTheWideProtection() throws {
        let head = try Self.load()
        let located = try Defacer().locate(head.volume, isCT: false)
        let core = zip(located.brain.mask, located.brain.atlasCore).map { $0 && $1 }
        #expect(!BrainExtraction.cerebrospinalFluidIsBright(values: located.grid.values, core: core))
        #expect(try Defacer().deface(head.volume, isCT: false).protection == 11)
    }

    /// The renderings skip empty space without changing a pixel or a depth.
    @Test func skippingEmptySpaceChangesNoPixel() throws {
        let head = try Self.load()
        let located = try Defacer().locate(head.volume, isCT: false)
        let (grid, values) = (located.grid, located.grid.values)
        let threshold = HeadMask.otsu(values)
        let rendering = SurfaceRendering(
            grid: grid, inverse: located.inverse, transform: located.fit.transform, threshold: threshold)
        let occupancy = SurfaceRendering.Occupancy(grid: grid, values: values, threshold: threshold)
        for yaw in [0.0, 35] {
            let plain = rendering.render(values, yaw: yaw)
            let skipping = rendering.render(values, yaw: yaw, occupancy: occupancy)
            #expect(plain.image.pixels == skipping.image.pixels)
            #expect(zip(plain.depth, skipping.depth).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(plain.depth.contains { !$0.isNaN })
        }
    }

    /// `--deface-ears`: the same removal plus both auricles (each several millilitres of tissue
    /// beside the head), and still no reference brain voxel.
    @Test func theEarsGoByFlag() throws {
        let head = try Self.load()
        let volume = head.volume
        let plain = try Defacer().deface(volume, isCT: false)
        var defacer = Defacer()
        defacer.removesEars = true
        let withEars = try defacer.deface(volume, isCT: false)
        var extra = (left: 0.0, right: 0.0)
        var centreX = 0.0
        var headCount = 0.0
        for k in 0..<volume.size.k {
            for j in 0..<volume.size.j {
                for i in 0..<volume.size.i where volume.voxels[volume.index(i, j, k)] > 40 {
                    centreX += volume.affine.patientPoint(i: Double(i), j: Double(j), k: Double(k)).x
                    headCount += 1
                }
            }
        }
        centreX /= headCount
        let voxelML = abs(volume.affine.columnStep.dot(volume.affine.rowStep.cross(volume.affine.sliceStep))) / 1000
        for k in 0..<volume.size.k {
            for j in 0..<volume.size.j {
                for i in 0..<volume.size.i {
                    let p = volume.index(i, j, k)
                    #expect(!plain.removed[p] || withEars.removed[p])
                    #expect(!(withEars.removed[p] && head.brain[p]))
                    guard withEars.removed[p], !plain.removed[p], volume.voxels[p] > 40 else { continue }
                    let x = volume.affine.patientPoint(i: Double(i), j: Double(j), k: Double(k)).x
                    if x > centreX { extra.left += voxelML } else { extra.right += voxelML }
                }
            }
        }
        #expect(
            extra.left >= 3 && extra.right >= 3, "ear tissue removed: left \(extra.left) ml, right \(extra.right) ml")
    }
}
