// zlib's raw inflate behind an opaque handle (see CInflate.h).
#include "CInflate.h"

#include <stdlib.h>
#include <zlib.h>

struct cinf_stream {
    z_stream z;
};

cinf_stream *cinf_open(void) {
    cinf_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) return NULL;
    // Negative window bits: raw deflate, no zlib header or checksum (PS3.5 A.5).
    if (inflateInit2(&stream->z, -MAX_WBITS) != Z_OK) {
        free(stream);
        return NULL;
    }
    return stream;
}

void cinf_give(cinf_stream *stream, const uint8_t *input, uint32_t length) {
    stream->z.next_in = (Bytef *)input;
    stream->z.avail_in = length;
}

uint32_t cinf_input_left(const cinf_stream *stream) { return stream->z.avail_in; }

int cinf_inflate(cinf_stream *stream, uint8_t *output, uint32_t capacity, uint32_t *produced) {
    stream->z.next_out = output;
    stream->z.avail_out = capacity;
    const int status = inflate(&stream->z, Z_NO_FLUSH);
    *produced = capacity - stream->z.avail_out;
    return status;
}

void cinf_close(cinf_stream *stream) {
    inflateEnd(&stream->z);
    free(stream);
}
