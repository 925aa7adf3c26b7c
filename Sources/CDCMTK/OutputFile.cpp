// Writing an output file.
//
// DCMTK encodes the file into a memory buffer (DcmOutputBufferStream, suspended and resumed each
// time the buffer fills) and every buffer goes out through write() on our own descriptor, so that
// a full disk is always noticed: DcmOutputFileStream closes its FILE* without looking at the
// result, and an error in the last flush would go unseen.
//
// Unchanged Pixel Data, left out of the encoded data set by the caller, is then appended byte for
// byte from the input file with copy_file_range: no decoding, no copy in memory, and memory that
// does not depend on the size of the image.
#include "OutputFile.hpp"

#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dcwcache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace {

bool writeAll(int descriptor, const void *bytes, size_t count) {
    const char *cursor = static_cast<const char *>(bytes);
    while (count > 0) {
        const ssize_t written = write(descriptor, cursor, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        cursor += written;
        count -= static_cast<size_t>(written);
    }
    return true;
}

/// Copies `count` bytes at `offset` of `from` to `at` in `to`: in the kernel where it can
/// (copy_file_range; a reflink on file systems that share extents), else through a buffer.
bool copyRange(int from, off_t offset, int to, off_t at, off_t count) {
    off_t input = offset;
    off_t output = at;
    while (count > 0) {
        const ssize_t copied = copy_file_range(from, &input, to, &output, static_cast<size_t>(count), 0);
        if (copied > 0) {
            count -= copied;
            continue;
        }
        if (copied < 0 && errno == EINTR) continue;
        if (copied == 0) {
            errno = EIO; // the input is shorter than when it was checked
            return false;
        }
        if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS) return false;
        break; // not supported between these files: copy through a buffer
    }
    // Not zero-filled: every byte is read into before it is written out.
    const size_t capacity = 1 << 16;
    std::unique_ptr<char[]> buffer(new char[capacity]);
    while (count > 0) {
        const size_t chunk = count < off_t(capacity) ? size_t(count) : capacity;
        const ssize_t n = pread(from, buffer.get(), chunk, input);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = pwrite(to, buffer.get() + done, size_t(n - done), output);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return false;
            done += w;
            output += w;
        }
        input += n;
        count -= n;
    }
    return true;
}

bool fail(cdcm::WriteFailure &failure, const std::string &what) {
    const int error = errno;
    failure.outOfSpace = error == ENOSPC || error == EDQUOT || error == EFBIG;
    failure.message = what + ": " + std::strerror(error);
    return false;
}

} // namespace

namespace cdcm {

bool writeOutputFile(DcmFileFormat &format, E_TransferSyntax xfer, const char *path, const char *pixelSource,
                     const cdcm_pixel_data_span *pixelData, WriteFailure &failure) {
    const int output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (output < 0) return fail(failure, "cannot create the output file");

    // Not zero-filled (a quarter of a megabyte per file): DCMTK writes every byte it hands back.
    const size_t capacity = 1 << 18;
    std::unique_ptr<char[]> buffer(new char[capacity]);
    DcmOutputBufferStream stream(buffer.get(), static_cast<offile_off_t>(capacity));
    DcmWriteCache cache; // streams values DCMTK did not load from the input file
    off_t written = 0;
    bool ok = true;
    format.transferInit();
    OFCondition condition = EC_StreamNotifyClient;
    while (ok && condition == EC_StreamNotifyClient) {
        condition = format.write(stream, xfer, EET_ExplicitLength, &cache, EGL_recalcGL, EPD_noChange, 0, 0, 0,
                                 EWM_dontUpdateMeta);
        void *bytes = nullptr;
        offile_off_t length = 0;
        stream.flushBuffer(bytes, length);
        if (length > 0 && !writeAll(output, bytes, static_cast<size_t>(length))) ok = fail(failure, "cannot write the output file");
        written += length;
    }
    // A compression filter (deflated transfer syntax) holds its last block until flushed.
    for (int round = 0; ok && condition.good() && !stream.isFlushed() && round < 1000; ++round) {
        stream.flush();
        void *bytes = nullptr;
        offile_off_t length = 0;
        stream.flushBuffer(bytes, length);
        if (length > 0 && !writeAll(output, bytes, static_cast<size_t>(length))) ok = fail(failure, "cannot write the output file");
        written += length;
    }
    format.transferEnd();
    if (ok && condition.good() && !stream.isFlushed()) {
        failure.message = "cannot finish encoding the output";
        ok = false;
    }
    if (ok && condition.bad()) {
        failure.message = std::string("cannot encode DICOM: ") + condition.text();
        ok = false;
    }
    if (ok && pixelData != nullptr) {
        const int input = open(pixelSource, O_RDONLY | O_CLOEXEC);
        if (input < 0) {
            ok = fail(failure, "cannot reopen the input for its Pixel Data");
        } else {
            if (!copyRange(input, pixelData->start, output, written, pixelData->end - pixelData->start))
                ok = fail(failure, "cannot copy the Pixel Data into the output");
            close(input);
        }
    }
    // close() reports what write() could not (NFS, quotas).
    if (close(output) != 0 && ok) ok = fail(failure, "cannot finish the output file");
    return ok;
}

} // namespace cdcm
