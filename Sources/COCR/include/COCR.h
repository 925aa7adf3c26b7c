#ifndef COCR_H
#define COCR_H

#include <stddef.h>
#include <stdint.h>

/* Tesseract OCR, loaded at run time when the machine has it (Debian tesseract-ocr and
 * tesseract-ocr-eng): Veil builds and runs without it. One engine per thread, kept. */

/* 1 when libtesseract and its English data load, else 0. */
int vocr_available(void);

/* The text Tesseract reads (sparse text mode) in an 8-bit grey image, as UTF-8 lines; NULL when
 * OCR is not available or fails. Free with vocr_free. */
char *vocr_read(const uint8_t *pixels, int width, int height);

/* The text Tesseract reads in an 8-bit grey image holding a line or a few lines of text (block
 * mode), and its mean word confidence (0-100) in *confidence; NULL when OCR is not available or
 * fails. */
char *vocr_read_line(const uint8_t *pixels, int width, int height, int *confidence);

void vocr_free(char *text);

#endif
