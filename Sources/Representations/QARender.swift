import Volumes

/// The picture that proves a volume is clean: a 3 × 2 montage of 192-pixel tiles, in patient
/// orientation whatever the acquisition — axial, coronal and sagittal mid-slices; an axial maximum
/// intensity projection; the head's surface seen from the front and from the side (where a face
/// would show). Greyscale PNG without text or time chunks: the same volume gives the same bytes.
/// Boxes masked by burned-in text cleaning are outlined in white on the slices and the projection.
public enum QARender {
    static let tile = 192

    /// `masked`: per voxel of `volume`, whether text cleaning masked it.
    public static func png(of volume: Volume, isCT: Bool, masked: [Bool]? = nil) throws -> [UInt8] {
        try Representations.png(
            gray: picture(of: volume, isCT: isCT, masked: masked), width: 3 * tile, height: 2 * tile)
    }

    /// The montage's grey values, rows top to bottom.
    static func picture(of volume: Volume, isCT: Bool, masked: [Bool]?) -> [UInt8] {
        let grid = PatientGrid(volume, size: tile)
        let (low, high) = grid.window(isCT: isCT)
        let surface = isCT ? Float(-300) : low + 0.25 * (high - low)
        let n = tile
        func scale(_ value: Float) -> UInt8 {
            guard value.isFinite else { return 0 }
            return UInt8(max(0, min(255, (value - low) / (high - low) * 255)))
        }
        // Tiles: rows of the picture run from the patient's head to the feet (or back to front).
        let axial = (0..<n * n).map { p in scale(grid[p % n, p / n, n / 2]) }  // x right→left, y front→back
        let coronal = (0..<n * n).map { p in scale(grid[p % n, n / 2, n - 1 - p / n]) }  // x, z top→bottom
        let sagittal = (0..<n * n).map { p in scale(grid[n / 2, p % n, n - 1 - p / n]) }  // y front→back, z
        let mip = (0..<n * n).map { p in scale((0..<n).map { grid[p % n, p / n, $0] }.filter(\.isFinite).max() ?? low) }
        let front = render(n) { x, z, depth in grid[x, depth, n - 1 - z] > surface }  // looking from the front
        let side = render(n) { y, z, depth in grid[n - 1 - depth, y, n - 1 - z] > surface }  // from the patient's left
        var tiles = [axial, coronal, sagittal, mip, front, side]
        if let masked, masked.count == volume.count {
            var maskVolume = volume
            maskVolume.voxels = masked.map { $0 ? 1 : 0 }
            let mask = PatientGrid(maskVolume, size: tile)
            let inside: [[Bool]] = [
                (0..<n * n).map { p in mask[p % n, p / n, n / 2] == 1 },
                (0..<n * n).map { p in mask[p % n, n / 2, n - 1 - p / n] == 1 },
                (0..<n * n).map { p in mask[n / 2, p % n, n - 1 - p / n] == 1 },
                (0..<n * n).map { p in (0..<n).contains { mask[p % n, p / n, $0] == 1 } },
            ]
            for (index, region) in inside.enumerated() { outline(region, on: &tiles[index], size: n) }
        }
        var picture = [UInt8](repeating: 0, count: 3 * n * 2 * n)
        for (index, tile) in tiles.enumerated() {
            let (column, row) = (index % 3, index / 3)
            for y in 0..<n { for x in 0..<n { picture[(row * n + y) * 3 * n + column * n + x] = tile[y * n + x] } }
        }
        return picture
    }

    /// The head's surface seen from the front and from the patient's left, as in the montage:
    /// `tile` × `tile` grey pictures (for `veil review`, which shows them apart).
    public static func surfaceViews(of volume: Volume, isCT: Bool) -> (front: [UInt8], side: [UInt8], size: Int) {
        let grid = PatientGrid(volume, size: tile)
        let (low, high) = grid.window(isCT: isCT)
        let surface = isCT ? Float(-300) : low + 0.25 * (high - low)
        let n = tile
        let front = render(n) { x, z, depth in grid[x, depth, n - 1 - z] > surface }
        let side = render(n) { y, z, depth in grid[n - 1 - depth, y, n - 1 - z] > surface }
        return (front, side, n)
    }

    /// White on the edge of `region`: its pixels with a neighbour outside it.
    static func outline(_ region: [Bool], on tile: inout [UInt8], size n: Int) {
        for y in 0..<n {
            for x in 0..<n where region[y * n + x] {
                let edge =
                    x == 0 || y == 0 || x == n - 1 || y == n - 1
                    || !region[y * n + x - 1] || !region[y * n + x + 1] || !region[(y - 1) * n + x]
                    || !region[(y + 1) * n + x]
                if edge { tile[y * n + x] = 255 }
            }
        }
    }

    /// Depth-shaded surface: nearer is brighter, with a little relief from the depth gradient.
    static func render(_ n: Int, hit: (Int, Int, Int) -> Bool) -> [UInt8] {
        var depth = [Int](repeating: n, count: n * n)
        for z in 0..<n { for u in 0..<n { depth[z * n + u] = (0..<n).first { hit(u, z, $0) } ?? n } }
        return (0..<n * n).map { p in
            guard depth[p] < n else { return 0 }
            let (u, z) = (p % n, p / n)
            let dx = Double(depth[z * n + min(n - 1, u + 1)] - depth[z * n + max(0, u - 1)])
            let dz = Double(depth[min(n - 1, z + 1) * n + u] - depth[max(0, z - 1) * n + u])
            let shade = 1 - Double(depth[p]) / Double(n) - 0.04 * (dx + dz)
            return UInt8(max(20, min(255, 255 * shade)))
        }
    }
}

/// The volume resampled (nearest neighbour) onto a cube of `size`³ voxels along the patient axes
/// (L, P, S), covering the volume's extent.
struct PatientGrid {
    let size: Int
    var values: [Float]

    init(_ volume: Volume, size: Int) {
        self.size = size
        var low = Vector3(repeating: .infinity)
        var high = Vector3(repeating: -.infinity)
        for corner in 0..<8 {
            let p = volume.affine.patientPoint(
                i: Double(corner & 1) * Double(volume.size.i - 1),
                j: Double((corner >> 1) & 1) * Double(volume.size.j - 1),
                k: Double((corner >> 2) & 1) * Double(volume.size.k - 1))
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        let step = max((high - low).max() / Double(size - 1), 1e-6)
        let centre = (low + high) / 2
        let origin = centre - Vector3(repeating: step * Double(size - 1) / 2)
        values = [Float](repeating: .nan, count: size * size * size)
        // Patient point to voxel: the inverse of the affine, computed once (this runs size³ times).
        let (a, b, c) = (volume.affine.columnStep, volume.affine.rowStep, volume.affine.sliceStep)
        let determinant = a.dot(b.cross(c))
        guard abs(determinant) > 1e-12 else { return }
        let rows = (b.cross(c) / determinant, c.cross(a) / determinant, a.cross(b) / determinant)
        let (ni, nj, nk) = volume.size
        let source = volume.voxels
        values.withUnsafeMutableBufferPointer { out in
            source.withUnsafeBufferPointer { voxels in
                for z in 0..<size {
                    for y in 0..<size {
                        for x in 0..<size {
                            let d = origin + step * Vector3(Double(x), Double(y), Double(z)) - volume.affine.origin
                            let (i, j, k) = (
                                Int(rows.0.dot(d).rounded()), Int(rows.1.dot(d).rounded()), Int(rows.2.dot(d).rounded())
                            )
                            guard i >= 0, j >= 0, k >= 0, i < ni, j < nj, k < nk else { continue }
                            out[x + size * (y + size * z)] = voxels[i + ni * (j + nj * k)]
                        }
                    }
                }
            }
        }
    }

    subscript(x: Int, y: Int, z: Int) -> Float { values[x + size * (y + size * z)] }

    /// Display window: a brain window for CT, the 1st to 99.5th percentile for MR.
    func window(isCT: Bool) -> (Float, Float) {
        if isCT { return (-100, 200) }
        let finite = values.filter { $0.isFinite }.sorted()
        guard let first = finite.first else { return (0, 1) }
        let high = finite[Int(Double(finite.count - 1) * 0.995)]
        return (first, high > first ? high : first + 1)
    }
}
