import DICOMCore
import DICOMIO

/// An input opened and read once, and kept open: the deface pass builds its volume from it,
/// decodes its pixels from it and writes its output through it, without parsing the file again.
final class OpenedInput {
    let file: DICOMFile
    let object: DICOMObject

    init(path: String) throws(DICOMIOError) {
        let file = try DICOMFile(path: path)
        object = try file.read()
        self.file = file
    }
}
