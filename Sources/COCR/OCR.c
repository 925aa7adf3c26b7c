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
    api.loaded = api.create && api.init && api.set_psm && api.set_variable && api.set_image &&
                 api.set_resolution && api.text && api.delete_text && api.end && api.destroy &&
                 api.mean_confidence &&
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

/* Reads the image in page segmentation mode `psm`; the mean confidence into *confidence. */
static char *read_text(const uint8_t *pixels, int width, int height, int psm, int *confidence) {
    void *tess = thread_engine();
    if (tess == NULL || pixels == NULL || width <= 0 || height <= 0) return NULL;
    api.set_psm(tess, psm);
    api.set_image(tess, pixels, width, height, 1, width);
    api.set_resolution(tess, 300);
    char *text = api.text(tess);
    if (text == NULL) return NULL;
    if (confidence != NULL) *confidence = api.mean_confidence(tess);
    char *copy = strdup(text);
    api.delete_text(text);
    return copy;
}

char *vocr_read(const uint8_t *pixels, int width, int height) {
    return read_text(pixels, width, height, PSM_SPARSE_TEXT, NULL);
}

char *vocr_read_line(const uint8_t *pixels, int width, int height, int *confidence) {
    return read_text(pixels, width, height, PSM_SINGLE_BLOCK, confidence);
}

void vocr_free(char *text) { free(text); }
