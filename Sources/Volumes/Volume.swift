/// A 3D image in real-world values (Hounsfield units for CT, scanner units for MR) on a regular
/// grid, with the transform from voxel indices to patient coordinates.
public struct Volume: Sendable {
    /// Voxels along i (columns), j (rows) and k (slices).
    public var size: (i: Int, j: Int, k: Int)
    /// Rescaled values, i fastest, then j, then k. Missing slices are NaN.
    public var voxels: [Float]
    public var affine: AffineTransform
    public var warnings: [VolumeWarning]
    /// The frames each slice came from (nil for missing slices): file index and frame number.
    public var layout: StackLayout

    public init(
        size: (i: Int, j: Int, k: Int), voxels: [Float], affine: AffineTransform, warnings: [VolumeWarning],
        layout: StackLayout
    ) {
        precondition(voxels.count == size.i * size.j * size.k)
        self.size = size
        self.voxels = voxels
        self.affine = affine
        self.warnings = warnings
        self.layout = layout
    }

    public var count: Int { voxels.count }

    @inline(__always) public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + size.i * (j + size.j * k) }

    public subscript(i: Int, j: Int, k: Int) -> Float {
        get { voxels[index(i, j, k)] }
        set { voxels[index(i, j, k)] = newValue }
    }

    /// Patient coordinates (LPS, mm) of voxel (i, j, k).
    public func patientPoint(_ i: Int, _ j: Int, _ k: Int) -> Vector3 {
        affine.patientPoint(i: Double(i), j: Double(j), k: Double(k))
    }
}
