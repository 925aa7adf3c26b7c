// dlib's HOG frontal face detector over binary PGM (P5, 8-bit) files.
// Build: g++ -O2 -o face_detect face_detect.cpp -ldlib
// Usage: face_detect FILE.pgm...   prints "FILE count score1,score2,..." per file.
#include <dlib/image_processing/frontal_face_detector.h>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

static bool read_pgm(const char *path, dlib::array2d<unsigned char> &img) {
    std::ifstream in(path, std::ios::binary);
    std::string magic; int w, h, maxval;
    if (!(in >> magic >> w >> h >> maxval) || magic != "P5" || maxval > 255) return false;
    in.get();
    img.set_size(h, w);
    std::vector<unsigned char> buf(size_t(w) * h);
    in.read(reinterpret_cast<char *>(buf.data()), buf.size());
    for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) img[r][c] = buf[size_t(r) * w + c];
    return bool(in);
}

int main(int argc, char **argv) {
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    for (int i = 1; i < argc; i++) {
        dlib::array2d<unsigned char> img;
        if (!read_pgm(argv[i], img)) { std::cout << argv[i] << " -1\n"; continue; }
        std::vector<dlib::rect_detection> dets;
        detector(img, dets, 0.0);
        std::cout << argv[i] << " " << dets.size();
        for (size_t k = 0; k < dets.size(); k++) std::cout << (k ? "," : " ") << dets[k].detection_confidence;
        std::cout << "\n";
    }
}
