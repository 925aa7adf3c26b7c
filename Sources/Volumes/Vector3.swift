/// A point or direction in the DICOM patient coordinate system (LPS, millimetres).
public typealias Vector3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    @inlinable public func dot(_ other: Self) -> Double { (self * other).sum() }

    @inlinable public func cross(_ other: Self) -> Self {
        Self(y * other.z - z * other.y, z * other.x - x * other.z, x * other.y - y * other.x)
    }

    @inlinable public var length: Double { dot(self).squareRoot() }

    @inlinable public var normalized: Self {
        let l = length
        return l > 0 ? self / l : self
    }
}
