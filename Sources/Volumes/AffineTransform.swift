/// Maps voxel indices (i = column, j = row, k = slice; 0-based, voxel centres) to patient
/// coordinates (LPS, mm): `origin + i·columnStep + j·rowStep + k·sliceStep` (PS3.3 C.7.6.2.1.1).
public struct AffineTransform: Hashable, Sendable {
    /// Moving one column to the right: Image Orientation's row direction × column spacing.
    public var columnStep: Vector3
    /// Moving one row down: Image Orientation's column direction × row spacing.
    public var rowStep: Vector3
    /// Moving to the next slice. Not perpendicular to the image plane when the gantry was tilted.
    public var sliceStep: Vector3
    /// The centre of the first voxel: Image Position (Patient) of the first slice.
    public var origin: Vector3

    public init(columnStep: Vector3, rowStep: Vector3, sliceStep: Vector3, origin: Vector3) {
        self.columnStep = columnStep
        self.rowStep = rowStep
        self.sliceStep = sliceStep
        self.origin = origin
    }

    @inlinable public func patientPoint(i: Double, j: Double, k: Double) -> Vector3 {
        origin + i * columnStep + j * rowStep + k * sliceStep
    }

    /// Voxel coordinates of a patient point; nil when the steps are degenerate.
    public func voxel(of point: Vector3) -> Vector3? {
        let (a, b, c) = (columnStep, rowStep, sliceStep)
        let determinant = a.dot(b.cross(c))
        guard abs(determinant) > 1e-12 else { return nil }
        let d = point - origin
        return Vector3(d.dot(b.cross(c)), a.dot(d.cross(c)), a.dot(b.cross(d))) / determinant
    }

    /// Row-major 4×4 matrix, as NIfTI's sform and most libraries expect (still LPS).
    public var matrix: [[Double]] {
        (0..<3).map { row in [columnStep[row], rowStep[row], sliceStep[row], origin[row]] } + [[0, 0, 0, 1]]
    }

    /// Voxel sizes along i, j and k.
    public var spacing: Vector3 { Vector3(columnStep.length, rowStep.length, sliceStep.length) }
}
