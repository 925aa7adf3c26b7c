import Foundation
import Volumes

/// A shaded depth rendering of the head's surface, as a camera in front of the face would see
/// it: rays in the fitted head frame, from the front, turned `yaw` degrees about the head's
/// vertical axis; the first voxel above `threshold` along each ray is the surface, shaded by its
/// slope. What face-recognition attacks on MRI start from, and what the face detector looks at.
struct SurfaceRendering {
    let grid: WorkingGrid
    let inverse: InverseAffine
    let transform: SimilarityTransform
    let threshold: Float
    /// Pixel size and ray step (frame millimetres): an adult face is about 110 pixels wide, more
    /// than the detector's 80-pixel window without doubling the picture.
    var pixel = 1.25
    var step = 1.5

    /// A rendering and its depth map (mm from the image plane along each ray; NaN where the ray
    /// meets nothing), row by row.
    struct View {
        var image: GrayImage
        var depth: [Double]
    }

    /// Which 4×4×4 blocks of cells of `values` may hold a value above the threshold: a ray skips
    /// the others without interpolating (most of its samples lie in the air in front of the head).
    /// Exact: a trilinear value never exceeds the largest of its cell's eight corners.
    struct Occupancy {
        let size: (i: Int, j: Int, k: Int)
        let blocks: (i: Int, j: Int, k: Int)
        let occupied: [Bool]

        init(grid: WorkingGrid, values: [Float], threshold: Float) {
            size = grid.size
            blocks = (grid.size.i / 4 + 1, grid.size.j / 4 + 1, grid.size.k / 4 + 1)
            var occupied = [Bool](repeating: false, count: blocks.i * blocks.j * blocks.k)
            for k in 0..<size.k {
                for j in 0..<size.j {
                    for i in 0..<size.i where values[grid.index(i, j, k)] > threshold {
                        // A voxel is a corner of the cells of its block, and of the block before
                        // when it lies on that block's far side.
                        for bk in Self.blocks(of: k) {
                            for bj in Self.blocks(of: j) {
                                for bi in Self.blocks(of: i) { occupied[bi + blocks.i * (bj + blocks.j * bk)] = true }
                            }
                        }
                    }
                }
            }
            self.occupied = occupied
        }

        private static func blocks(of index: Int) -> ClosedRange<Int> {
            index % 4 == 0 && index > 0 ? (index / 4 - 1)...(index / 4) : (index / 4)...(index / 4)
        }

        /// Whether the cell holding voxel coordinates `v` (inside the grid) lies in an empty block,
        /// with the cell chosen as `WorkingGrid.interpolate` chooses it.
        @inline(__always) func isEmpty(at v: Vector3) -> Bool {
            let (i, j, k) = (min(Int(v.x), size.i - 2), min(Int(v.y), size.j - 2), min(Int(v.z), size.k - 2))
            return !occupied[(i >> 2) + blocks.i * ((j >> 2) + blocks.j * (k >> 2))]
        }
    }

    /// `after`: the rendering of the same head before voxels were set to background, from the same
    /// direction: removal adds no tissue, so each ray starts just before the depth it met there.
    /// `occupancy`: of `values` at this rendering's threshold, to skip empty space.
    func render(_ values: [Float], yaw: Double, after earlier: View? = nil, occupancy: Occupancy? = nil) -> View {
        let angle = yaw * .pi / 180
        // Frame directions: rays go posterior (+y); image columns to the patient's left (+x), rows down.
        let forward = Vector3(sin(angle), cos(angle), 0)
        let across = Vector3(cos(angle), -sin(angle), 0)
        let down = Vector3(0, 0, -1)
        let (width, height) = (Int(220 / pixel), Int(270 / pixel))
        let centre = Vector3(0, 0, -30)
        // Patient → voxel is affine, so a ray's voxel coordinates change by a constant per step.
        func voxel(_ framePoint: Vector3) -> Vector3 { inverse.apply(transform.apply(framePoint)) }
        let origin = voxel(.zero)
        let stepVector = voxel(forward * step) - origin
        var depth = [Double](repeating: .nan, count: width * height)
        let limit = (Double(grid.size.i - 1), Double(grid.size.j - 1), Double(grid.size.k - 1))
        for row in 0..<height {
            for column in 0..<width {
                let start =
                    centre + across * ((Double(column) - Double(width) / 2) * pixel)
                    + down * ((Double(row) - Double(height) / 2) * pixel) - forward * 170
                var first = 0
                if let earlier {
                    let known = earlier.depth[column + width * row]
                    guard !known.isNaN else { continue }
                    first = max(0, Int(known / step) - 2)
                }
                var v = voxel(start) + stepVector * Double(first)
                var previous = -Float.infinity
                var skipped = false  // the previous sample lay in an empty block: `previous` not known
                for n in first..<Int(300 / step) {
                    defer { v = v + stepVector }
                    guard v.x >= 0, v.y >= 0, v.z >= 0, v.x <= limit.0, v.y <= limit.1, v.z <= limit.2 else {
                        previous = -Float.infinity
                        skipped = false
                        continue
                    }
                    if let occupancy, occupancy.isEmpty(at: v) {
                        skipped = true
                        continue
                    }
                    let value = grid.interpolate(values, at: v)
                    if value > threshold {
                        if skipped { previous = grid.interpolate(values, at: v - stepVector) }
                        // Where between this sample and the last the threshold was crossed.
                        let fraction = previous.isFinite ? Double((value - threshold) / (value - previous)) : 0
                        depth[column + width * row] = (Double(n) - fraction) * step
                        break
                    }
                    previous = value
                    skipped = false
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        for row in 1..<(height - 1) {
            for column in 1..<(width - 1) {
                let p = column + width * row
                guard !depth[p].isNaN else { continue }
                func at(_ q: Int) -> Double { depth[q].isNaN ? depth[p] + 20 : depth[q] }
                let dx = (at(p + 1) - at(p - 1)) / (2 * pixel)
                let dy = (at(p + width) - at(p - width)) / (2 * pixel)
                let shade = 1 / (1 + dx * dx + dy * dy).squareRoot()
                pixels[p] = UInt8(max(0, min(255, 20 + 235 * shade * shade)))
            }
        }
        return View(image: GrayImage(width: width, height: height, pixels: pixels), depth: depth)
    }
}
