import DICOMCore
import DICOMIO
import Volumes

/// Reads the files of a series into volumes: each file parsed once, its pixels decoded once and
/// only when a volume uses them. The file I/O of the volume, defacing and representation passes.
public enum SeriesReader {
    /// The volumes in `paths`, one per series and sub-stack (see `VolumeLoader`).
    public static func volumes(paths: [String]) throws(VolumeError) -> [Volume] {
        try read(paths: paths).volumes
    }

    /// The data sets of `paths` (in order), and their volumes.
    public static func read(paths: [String]) throws(VolumeError) -> (dataSets: [DataSet], volumes: [Volume]) {
        var dataSets: [DataSet] = []
        for path in paths {
            do { dataSets.append(try DICOMFile(path: path).read().dataSet) } catch {
                throw VolumeError(file: path, reason: "\(error)")
            }
        }
        var decoded: [Int: DecodedPixels] = [:]
        let volumes = try VolumeLoader.volumes(of: dataSets) { source throws(VolumeError) in
            if let pixels = decoded[source] { return pixels }
            do {
                let pixels = try DICOMFile(path: paths[source]).decodePixels()
                decoded[source] = pixels
                return pixels
            } catch {
                throw VolumeError(file: paths[source], reason: "\(error)")
            }
        }
        return (dataSets, volumes)
    }
}
