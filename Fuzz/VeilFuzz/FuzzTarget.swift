// libFuzzer target over Veil's whole path for one file: the structure check (StructureCheck.swift)
// over the bytes in memory and over the file, the DCMTK parse, the record stream,
// de-identification with every option, writing, and reading the output back. Built and run by
// Scripts/fuzz.sh (libFuzzer supplies `main`).
//
// Oracles beyond "no crash, no hang, no sanitizer report": the check gives the same report from
// memory and from the file; DICOMFile refuses exactly what the check refuses, with its verdict;
// a file Veil wrote must open again, and de-identifying it again must succeed.
import DICOMCore
import DICOMIO
import Deidentification
import Foundation

private let folder: String = {
    let path = "/dev/shm/veil-fuzz-\(getpid())"
    mkdir(path, 0o700)
    return path
}()
private let inputPath = folder + "/input.dcm"
private let outputPath = folder + "/output.dcm"

private let deidentifiers: [Deidentifier] = {
    let key = try! DeidentificationKey(bytes: Array(repeating: 0x5A, count: 32))
    // Every implemented option (the two date options exclude each other).
    let everything = DeidentificationProfile(
        options: DeidentificationProfile.implementedOptions.subtracting([.retainLongitudinalFullDates]),
        acceptsBurnedInAnnotation: true)
    return [Deidentifier(profile: .basic, key: key), Deidentifier(profile: everything, key: key)]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let report = StructureCheck.check(UnsafeRawBufferPointer(start: bytes, count: count))
    guard let handle = fopen(inputPath, "wb") else { return 0 }
    _ = fwrite(bytes, 1, count, handle)
    fclose(handle)
    let descriptor = open(inputPath, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return 0 }
    let fromFile = StructureCheck.check(descriptor: descriptor, size: count)
    close(descriptor)
    if fromFile != report { fatalError("the structure check reads the file and memory differently") }

    let deidentifier = deidentifiers[count % deidentifiers.count]
    let result: DeidentificationResult
    let file: DICOMFile
    do {
        file = try DICOMFile(path: inputPath)
    } catch {
        if count > 0, let refusal = report.refusal, error != refusal {
            fatalError("DICOMFile refused the file otherwise than the structure check: \(error.kind)")
        }
        return 0  // refusing a file is a correct answer
    }
    if report.refusal != nil { fatalError("DICOMFile opened a file the structure check refuses") }
    do {
        result = try deidentifier.deidentify(try file.read())
        unlink(outputPath)
        try file.write(result.object, to: outputPath, durable: false)
    } catch {
        return 0
    }
    do {
        let output = try DICOMFile(path: outputPath)
        _ = try deidentifier.deidentify(try output.read())
    } catch {
        fatalError("Veil cannot re-read its own output: \(error)")
    }
    return 0
}
