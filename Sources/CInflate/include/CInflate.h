/*
 * CInflate: zlib's raw inflate (deflate streams without a zlib header, PS3.5 A.5) for Swift,
 * which cannot call inflateInit2 (a macro). Mechanism only: how much to inflate is decided in
 * Swift (DeflatedDataSet.swift). Every symbol starts with `cinf_`.
 */
#ifndef CINFLATE_H
#define CINFLATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/** zlib's results, as inflate() returns them. */
enum {
    CINF_OK = 0,
    CINF_STREAM_END = 1,
    /** No progress was possible: no input left, or no room left. */
    CINF_BUFFER_ERROR = -5,
};

typedef struct cinf_stream cinf_stream;

/** A raw-deflate decoder, or NULL when zlib cannot start one (out of memory). */
cinf_stream *_Nullable cinf_open(void);

/** Hands the decoder its next input, which must stay valid until consumed. */
void cinf_give(cinf_stream *stream, const uint8_t *input, uint32_t length);

/** Input bytes not consumed yet. */
uint32_t cinf_input_left(const cinf_stream *stream);

/** Inflates as much as fits into `output` (Z_NO_FLUSH); `*produced` bytes were written. */
int cinf_inflate(cinf_stream *stream, uint8_t *output, uint32_t capacity, uint32_t *produced);

/** Frees the decoder. */
void cinf_close(cinf_stream *stream);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif
