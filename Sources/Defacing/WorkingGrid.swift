import Volumes

/// The volume at about 2 mm, in its own voxel axes (any orientation): blocks of whole voxels,
/// averaged. Masks on it are `[Bool]` in the same order (i fastest).
struct WorkingGrid {
    let size: (i: Int, j: Int, k: Int)
    let affine: AffineTransform
    /// Native voxels per working voxel along i, j, k.
    let factor: (i: Int, j: Int, k: Int)
    var values: [Float]
    var count: Int { size.i * size.j * size.k }
    var spacing: Vector3 { affine.spacing }
    /// Cubic millimetres per working voxel.
    var voxelVolume: Double { abs(affine.columnStep.dot(affine.rowStep.cross(affine.sliceStep))) }

    init(_ volume: Volume, target: Double = 2.0) {
        let native = volume.affine.spacing
        let f = (
            max(1, Int((target / native.x).rounded())), max(1, Int((target / native.y).rounded())),
            max(1, Int((target / native.z).rounded()))
        )
        factor = f
        size = ((volume.size.i + f.0 - 1) / f.0, (volume.size.j + f.1 - 1) / f.1, (volume.size.k + f.2 - 1) / f.2)
        // Voxel centres of a block average sit at the block's mean index.
        let a = volume.affine
        affine = AffineTransform(
            columnStep: a.columnStep * Double(f.0), rowStep: a.rowStep * Double(f.1),
            sliceStep: a.sliceStep * Double(f.2),
            origin: a.patientPoint(i: Double(f.0 - 1) / 2, j: Double(f.1 - 1) / 2, k: Double(f.2 - 1) / 2))
        var sums = [Float](repeating: 0, count: size.0 * size.1 * size.2)
        var counts = [Float](repeating: 0, count: sums.count)
        let (si, sj) = (size.0, size.1)
        volume.voxels.withUnsafeBufferPointer { voxels in
            for k in 0..<volume.size.k {
                let wk = k / f.2
                for j in 0..<volume.size.j {
                    let wj = j / f.1
                    let row = volume.size.i * (j + volume.size.j * k)
                    let out = si * (wj + sj * wk)
                    for i in 0..<volume.size.i where !voxels[row + i].isNaN {
                        sums[out + i / f.0] += voxels[row + i]
                        counts[out + i / f.0] += 1
                    }
                }
            }
        }
        values = zip(sums, counts).map { $1 > 0 ? $0 / $1 : .nan }
    }

    @inline(__always) func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + size.i * (j + size.j * k) }

    /// Working voxel nearest to a native voxel.
    @inline(__always) func index(native i: Int, _ j: Int, _ k: Int) -> Int {
        index(i / factor.i, j / factor.j, k / factor.k)
    }

    /// Calls `body` with every working voxel's index and its point in the fitted head frame
    /// (atlas millimetres), stepping along rows: the frame is an affine image of the grid.
    func forEachFramePoint(_ transform: SimilarityTransform, _ body: (Int, Vector3) -> Void) {
        let step = transform.inverse(affine.columnStep) - transform.inverse(.zero)
        for k in 0..<size.k {
            for j in 0..<size.j {
                var point = transform.inverse(affine.patientPoint(i: 0, j: Double(j), k: Double(k)))
                let row = index(0, j, k)
                for i in 0..<size.i {
                    body(row + i, point)
                    point = point + step
                }
            }
        }
    }

    /// Fractional voxel coordinates of a patient point, or nil outside the grid (by `margin` voxels).
    func voxel(of point: Vector3, inverse: InverseAffine, margin: Double = 0) -> Vector3? {
        let v = inverse.apply(point)
        guard v.x >= margin, v.y >= margin, v.z >= margin, v.x <= Double(size.i - 1) - margin,
            v.y <= Double(size.j - 1) - margin, v.z <= Double(size.k - 1) - margin
        else { return nil }
        return v
    }

    /// Trilinear interpolation of `field` at fractional voxel `v` (inside the grid).
    func interpolate(_ field: [Float], at v: Vector3) -> Float {
        let (i0, j0, k0) = (min(Int(v.x), size.i - 2), min(Int(v.y), size.j - 2), min(Int(v.z), size.k - 2))
        let (fx, fy, fz) = (Float(v.x) - Float(i0), Float(v.y) - Float(j0), Float(v.z) - Float(k0))
        let base = index(max(0, i0), max(0, j0), max(0, k0))
        let (di, dj, dk) = (1, size.i, size.i * size.j)
        func lerp(_ a: Float, _ b: Float, _ t: Float) -> Float { a + (b - a) * t }
        let c00 = lerp(field[base], field[base + di], fx)
        let c10 = lerp(field[base + dj], field[base + dj + di], fx)
        let c01 = lerp(field[base + dk], field[base + dk + di], fx)
        let c11 = lerp(field[base + dk + dj], field[base + dk + dj + di], fx)
        return lerp(lerp(c00, c10, fy), lerp(c01, c11, fy), fz)
    }
}

/// Patient point to voxel coordinates, precomputed.
struct InverseAffine {
    let rows: (Vector3, Vector3, Vector3)
    let origin: Vector3

    init?(_ affine: AffineTransform) {
        let (a, b, c) = (affine.columnStep, affine.rowStep, affine.sliceStep)
        let determinant = a.dot(b.cross(c))
        guard abs(determinant) > 1e-12 else { return nil }
        rows = (b.cross(c) / determinant, c.cross(a) / determinant, a.cross(b) / determinant)
        origin = affine.origin
    }

    @inline(__always) func apply(_ point: Vector3) -> Vector3 {
        let d = point - origin
        return Vector3(rows.0.dot(d), rows.1.dot(d), rows.2.dot(d))
    }
}
