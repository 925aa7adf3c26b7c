#include "CImageIO.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int vimg_gzip(const uint8_t *bytes, size_t length, uint8_t **out, size_t *out_length) {
    *out = NULL;
    *out_length = 0;
    if (length > (1u << 31)) return -1; // one deflate call; volumes are far smaller
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    // windowBits 15 + 16: a gzip wrapper, whose header deflateInit2 writes with time 0.
    if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    const size_t capacity = deflateBound(&stream, (uLong)length) + 64;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) { deflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)bytes;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)capacity;
    const int status = deflate(&stream, Z_FINISH);
    *out_length = stream.total_out;
    deflateEnd(&stream);
    if (status != Z_STREAM_END) { free(buffer); *out_length = 0; return -1; }
    *out = buffer;
    return 0;
}

struct memory {
    uint8_t *bytes;
    size_t length;
    size_t capacity;
    int failed;
};

static void write_memory(png_structp png, png_bytep data, png_size_t length) {
    struct memory *memory = png_get_io_ptr(png);
    if (memory->failed) return;
    if (memory->length + length > memory->capacity) {
        size_t capacity = (memory->capacity + length) * 2;
        uint8_t *grown = realloc(memory->bytes, capacity);
        if (grown == NULL) { memory->failed = 1; return; }
        memory->bytes = grown;
        memory->capacity = capacity;
    }
    memcpy(memory->bytes + memory->length, data, length);
    memory->length += length;
}

static void flush_memory(png_structp png) { (void)png; }

int vimg_png_gray8(const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **out, size_t *out_length) {
    *out = NULL;
    *out_length = 0;
    if (width == 0 || height == 0) return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (png == NULL) return -1;
    png_infop info = png_create_info_struct(png);
    struct memory memory = {NULL, 0, 0, 0};
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        free(memory.bytes);
        return -1;
    }
    png_set_write_fn(png, &memory, write_memory, flush_memory);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t row = 0; row < height; ++row) png_write_row(png, (png_const_bytep)(pixels + (size_t)row * width));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (memory.failed) { free(memory.bytes); return -1; }
    *out = memory.bytes;
    *out_length = memory.length;
    return 0;
}

void vimg_free(void *pointer) { free(pointer); }
