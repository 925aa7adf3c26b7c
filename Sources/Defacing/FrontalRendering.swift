import Volumes

/// The self-check a face-recognition attack would defeat: look at the head from the front (the
/// fitted frame's anterior direction) along rays through the face region, and see whether the
/// first tissue each ray meets is still the skin it met before defacing.
struct FrontalRendering {
    let volume: Volume
    let removed: [Bool]
    let threshold: Float
    let transform: SimilarityTransform
    let face: FaceRegion
    /// Per working voxel: within the margin of the brain, so kept whatever the face region says.
    let protected: [Bool]
    let grid: WorkingGrid

    /// Rays that met skin in the face region (outside the brain's margin) before, and those that still meet tissue within
    /// 5 mm of that point.
    func count() -> (rays: Int, stillOnSkin: Int) {
        guard let inverse = InverseAffine(volume.affine) else { return (0, 0) }
        var rays = 0
        var visible = 0
        // Atlas LPS: anterior is −y. Rays every 3 mm across the atlas's face, front to back.
        for x in stride(from: -60.0, through: 60.0, by: 3) {
            for z in stride(from: -110.0, through: 40.0, by: 3) {
                var original: Double?
                var after: Double?
                for y in stride(from: -160.0, through: 40.0, by: 1) {
                    let atlasPoint = Vector3(x, y, z)
                    guard let value = sample(transform.apply(atlasPoint), inverse) else { continue }
                    if original == nil, value.value > threshold {
                        guard face.contains(atlasPoint), !value.protected else { break }
                        original = y
                    }
                    if after == nil, value.value > threshold, !value.removed { after = y }
                    if original != nil, after != nil { break }
                }
                guard let original else { continue }
                rays += 1
                if let after, after - original < 5 { visible += 1 }
            }
        }
        return (rays, visible)
    }

    private func sample(_ point: Vector3, _ inverse: InverseAffine) -> (value: Float, removed: Bool, protected: Bool)? {
        let v = inverse.apply(point)
        let (i, j, k) = (Int(v.x.rounded()), Int(v.y.rounded()), Int(v.z.rounded()))
        guard i >= 0, j >= 0, k >= 0, i < volume.size.i, j < volume.size.j, k < volume.size.k else { return nil }
        let index = volume.index(i, j, k)
        let value = volume.voxels[index]
        return value.isNaN ? nil : (value, removed[index], protected[grid.index(native: i, j, k)])
    }
}
