import CFaceDetection

/// A grey picture, rows top to bottom.
public struct GrayImage: Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]
}

/// dlib's HOG frontal face detector (the established detector face-recognition studies of
/// defaced MRI use), run on renderings of the head: if it finds a face after defacing, the
/// face is not gone.
enum FaceDetector {
    struct Detection {
        var left, top, width, height: Int
        var score: Double
    }

    /// Faces in `image`, best first: 80 pixels wide or more, or half that with `upsampling` 1.
    /// Nil when the detector failed.
    static func faces(in image: GrayImage, upsampling: Int = 0, threshold: Double = 0) -> [Detection]? {
        var found = [cfd_face](repeating: cfd_face(), count: 16)
        let count = image.pixels.withUnsafeBufferPointer { pixels in
            cfd_detect(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.width), Int32(upsampling),
                threshold, &found,
                Int32(found.count))
        }
        guard count >= 0 else { return nil }
        return found.prefix(Int(count)).map {
            Detection(
                left: Int($0.left), top: Int($0.top), width: Int($0.width), height: Int($0.height), score: $0.score)
        }
    }
}
