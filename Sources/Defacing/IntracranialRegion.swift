/// CT only: what the skull encloses, slice by slice across the grid axis closest to the patient's
/// feet–head axis (a ring of bone in a slice encloses the brain).
enum IntracranialRegion {
    static let boneThreshold: Float = 300

    static func find(_ grid: WorkingGrid) -> [Bool] {
        let bone = grid.values.map { $0 > boneThreshold }
        let axes = [grid.affine.columnStep, grid.affine.rowStep, grid.affine.sliceStep].map { abs($0.normalized.z) }
        let axis = axes.firstIndex(of: axes.max()!)!
        let lengths = [grid.size.i, grid.size.j, grid.size.k]
        let strides = [1, grid.size.i, grid.size.i * grid.size.j]
        let (u, v) = axis == 0 ? (1, 2) : axis == 1 ? (0, 2) : (0, 1)
        var inside = [Bool](repeating: false, count: grid.count)
        for s in 0..<lengths[axis] {
            let (width, height) = (lengths[u], lengths[v])
            var slice = [Bool](repeating: false, count: width * height)
            for b in 0..<height {
                for a in 0..<width { slice[a + width * b] = bone[s * strides[axis] + a * strides[u] + b * strides[v]] }
            }
            let filled = MaskOperations.fillHoles(slice, size: (width, height, 1))
            for b in 0..<height {
                for a in 0..<width where filled[a + width * b] && !slice[a + width * b] {
                    inside[s * strides[axis] + a * strides[u] + b * strides[v]] = true
                }
            }
        }
        return inside
    }
}
