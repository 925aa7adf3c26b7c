#define _GNU_SOURCE
#include "COCR.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The few functions of Tesseract's C API (tesseract/capi.h) Veil uses. */
typedef void *(*create_fn)(void);
typedef int (*init_fn)(void *, const char *, const char *);
typedef void (*psm_fn)(void *, int);
typedef int (*variable_fn)(void *, const char *, const char *);
typedef void (*image_fn)(void *, const unsigned char *, int, int, int, int);
typedef void (*resolution_fn)(void *, int);
typedef char *(*text_fn)(void *);
typedef void (*delete_text_fn)(const char *);
typedef void (*end_fn)(void *);
typedef int (*confidence_fn)(void *);
typedef void *(*iterator_fn)(void *);
typedef void *(*page_iterator_fn)(void *);
typedef int (*bounding_box_fn)(const void *, int, int *, int *, int *, int *);
typedef int (*next_fn)(void *, int);
typedef char *(*word_text_fn)(const void *, int);
typedef void (*iterator_delete_fn)(void *);

static struct {
    int loaded;
    create_fn create;
    init_fn init;
    psm_fn set_psm;
    variable_fn set_variable;
    image_fn set_image;
    resolution_fn set_resolution;
    text_fn text;
    delete_text_fn delete_text;
    end_fn end;
    end_fn destroy;
    confidence_fn mean_confidence;
    iterator_fn iterator;
    page_iterator_fn page_iterator;
    bounding_box_fn bounding_box;
    next_fn next;
    word_text_fn word_text;
    iterator_delete_fn iterator_delete;
} api;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Each thread's engine, ended and deleted when the thread exits. */
static pthread_key_t engine_key;
static _Thread_local void *engine;
static _Thread_local int engine_failed;

static void end_engine(void *made) {
    api.end(made);
    api.destroy(made);
}

enum { PSM_SINGLE_BLOCK = 6, PSM_SPARSE_TEXT = 11 };

static void load(void) {
    /* Tesseract's OpenMP threads spin-wait between the small images Veil gives it: most of the
     * time went to waiting. One thread per engine; Veil runs one engine per worker thread. */
    setenv("OMP_THREAD_LIMIT", "1", 0);
    void *library = dlopen("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) library = dlopen("libtesseract.so", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return;
    api.create = (create_fn)dlsym(library, "TessBaseAPICreate");
    api.init = (init_fn)dlsym(library, "TessBaseAPIInit3");
    api.set_psm = (psm_fn)dlsym(library, "TessBaseAPISetPageSegMode");
    api.set_variable = (variable_fn)dlsym(library, "TessBaseAPISetVariable");
    api.set_image = (image_fn)dlsym(library, "TessBaseAPISetImage");
    api.set_resolution = (resolution_fn)dlsym(library, "TessBaseAPISetSourceResolution");
    api.text = (text_fn)dlsym(library, "TessBaseAPIGetUTF8Text");
    api.delete_text = (delete_text_fn)dlsym(library, "TessDeleteText");
    api.end = (end_fn)dlsym(library, "TessBaseAPIEnd");
    api.destroy = (end_fn)dlsym(library, "TessBaseAPIDelete");
    api.mean_confidence = (confidence_fn)dlsym(library, "TessBaseAPIMeanTextConf");
    api.iterator = (iterator_fn)dlsym(library, "TessBaseAPIGetIterator");
    api.page_iterator = (page_iterator_fn)dlsym(library, "TessResultIteratorGetPageIterator");
    api.bounding_box = (bounding_box_fn)dlsym(library, "TessPageIteratorBoundingBox");
    api.next = (next_fn)dlsym(library, "TessResultIteratorNext");
    api.word_text = (word_text_fn)dlsym(library, "TessResultIteratorGetUTF8Text");
    api.iterator_delete = (iterator_delete_fn)dlsym(library, "TessResultIteratorDelete");
    api.loaded = api.create && api.init && api.set_psm && api.set_variable && api.set_image &&
                 api.set_resolution && api.text && api.delete_text && api.end && api.destroy &&
                 api.mean_confidence && api.iterator && api.page_iterator && api.bounding_box && api.next &&
                 api.word_text && api.iterator_delete &&
                 pthread_key_create(&engine_key, end_engine) == 0;
}

/* This thread's engine, made on first use; NULL when Tesseract or its data is missing. */
static void *thread_engine(void) {
    pthread_once(&load_once, load);
    if (!api.loaded || engine_failed) return NULL;
    if (engine != NULL) return engine;
    void *made = api.create();
    /* Tesseract's messages go to its debug file, never to the user's terminal. */
    if (made == NULL || api.init(made, NULL, "eng") != 0) {
        if (made != NULL) api.destroy(made);
        engine_failed = 1;
        return NULL;
    }
    api.set_variable(made, "debug_file", "/dev/null");
    engine = made;
    pthread_setspecific(engine_key, made);
    return engine;
}

int vocr_available(void) { return thread_engine() != NULL; }

enum { RIL_WORD = 3 };

/* Whether a word holds a letter or a digit (bytes of multi-byte UTF-8 count as letters). */
static int has_alphanumeric(const char *word) {
    for (const unsigned char *c = (const unsigned char *)word; *c; c++) {
        if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c >= 0x80) return 1;
    }
    return 0;
}

/* The columns from the left of the leftmost to the right of the rightmost word holding a letter
 * or a digit, of the last recognition; -1 when there is none. */
static void word_extent(void *tess, int *left, int *right) {
    *left = -1;
    *right = -1;
    void *words = api.iterator(tess);
    if (words == NULL) return;
    do {
        char *word = api.word_text(words, RIL_WORD);
        if (word == NULL) continue;
        int x0, y0, x1, y1;
        if (has_alphanumeric(word) && api.bounding_box(api.page_iterator(words), RIL_WORD, &x0, &y0, &x1, &y1)) {
            if (*left < 0 || x0 < *left) *left = x0;
            if (x1 > *right) *right = x1;
        }
        api.delete_text(word);
    } while (api.next(words, RIL_WORD));
    api.iterator_delete(words);
}

/* Reads the image in page segmentation mode `psm`; the mean confidence into *confidence and,
 * when `left` is not NULL, the words' extent into *left and *right. */
static char *read_text(
    const uint8_t *pixels, int width, int height, int psm, int *confidence, int *left, int *right) {
    void *tess = thread_engine();
    if (tess == NULL || pixels == NULL || width <= 0 || height <= 0) return NULL;
    api.set_psm(tess, psm);
    api.set_image(tess, pixels, width, height, 1, width);
    api.set_resolution(tess, 300);
    char *text = api.text(tess);
    if (text == NULL) return NULL;
    if (confidence != NULL) *confidence = api.mean_confidence(tess);
    if (left != NULL && right != NULL) word_extent(tess, left, right);
    char *copy = strdup(text);
    api.delete_text(text);
    return copy;
}

char *vocr_read(const uint8_t *pixels, int width, int height) {
    return read_text(pixels, width, height, PSM_SPARSE_TEXT, NULL, NULL, NULL);
}

char *vocr_read_line(const uint8_t *pixels, int width, int height, int *confidence, int *left, int *right) {
    return read_text(pixels, width, height, PSM_SINGLE_BLOCK, confidence, left, right);
}

void vocr_free(char *text) { free(text); }
