#include "image/local_generator.hpp"

#include <png.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "errors/errors.hpp"

namespace glisk::image {
namespace {

constexpr int kSize = 512;

// FNV-1a: a stable, well-spread 64-bit seed (not a security boundary, just a picture's seed).
uint64_t fnv1a(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Rgb {
  double r, g, b;
};

Rgb hsv(double h, double s, double v) {
  h = std::fmod(h, 1.0) * 6;
  const double c = v * s, x = c * (1 - std::fabs(std::fmod(h, 2.0) - 1)), m = v - c;
  const int sector = static_cast<int>(h);
  const std::array<Rgb, 6> table{{{c, x, 0}, {x, c, 0}, {0, c, x}, {0, x, c}, {x, 0, c}, {c, 0, x}}};
  const Rgb& t = table[static_cast<size_t>(sector % 6)];
  return {t.r + m, t.g + m, t.b + m};
}

void write_to_vector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<unsigned char>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

}  // namespace

std::string render_png(std::string_view prompt) {
  // mt19937_64 is specified bit-for-bit by the standard, so the picture is the same everywhere.
  std::mt19937_64 rng(fnv1a(prompt));
  auto unit = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  const double hue = unit();
  const Rgb top = hsv(hue, 0.55 + 0.4 * unit(), 0.95);
  const Rgb bottom = hsv(hue + 0.35 + 0.3 * unit(), 0.7, 0.35 + 0.3 * unit());
  struct Disc {
    double x, y, radius;
    Rgb colour;
    double alpha;
  };
  std::vector<Disc> discs(4 + rng() % 6);
  for (auto& d : discs)
    d = {unit() * kSize, unit() * kSize, 30 + unit() * 140, hsv(unit(), 0.8, 0.9), 0.35 + 0.5 * unit()};

  std::vector<unsigned char> pixels(static_cast<size_t>(kSize) * kSize * 3);
  for (int y = 0; y < kSize; ++y) {
    const double t = static_cast<double>(y) / (kSize - 1);
    for (int x = 0; x < kSize; ++x) {
      Rgb c{top.r + (bottom.r - top.r) * t, top.g + (bottom.g - top.g) * t, top.b + (bottom.b - top.b) * t};
      for (const auto& d : discs) {
        const double dist = std::hypot(x - d.x, y - d.y);
        if (dist < d.radius) {
          const double a = d.alpha * std::min(1.0, (d.radius - dist) / 3.0);  // soft edge
          c = {c.r + (d.colour.r - c.r) * a, c.g + (d.colour.g - c.g) * a, c.b + (d.colour.b - c.b) * a};
        }
      }
      unsigned char* p = &pixels[(static_cast<size_t>(y) * kSize + static_cast<size_t>(x)) * 3];
      p[0] = static_cast<unsigned char>(std::lround(std::clamp(c.r, 0.0, 1.0) * 255));
      p[1] = static_cast<unsigned char>(std::lround(std::clamp(c.g, 0.0, 1.0) * 255));
      p[2] = static_cast<unsigned char>(std::lround(std::clamp(c.b, 0.0, 1.0) * 255));
    }
  }

  std::vector<unsigned char> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_write_struct(&png, &info);
    throw errors::TransientError("libpng could not allocate a writer");
  }
  if (setjmp(png_jmpbuf(png))) {  // libpng reports errors by longjmp
    png_destroy_write_struct(&png, &info);
    throw errors::TransientError("libpng failed to encode the image");
  }
  png_set_write_fn(png, &out, write_to_vector, nullptr);
  png_set_IHDR(png, info, kSize, kSize, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  for (int y = 0; y < kSize; ++y) png_write_row(png, &pixels[static_cast<size_t>(y) * kSize * 3]);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::string(out.begin(), out.end());
}

LocalImageGenerator::LocalImageGenerator(std::filesystem::path data_dir)
    : images_dir_(std::filesystem::absolute(data_dir) / "images") {}

GeneratedImage LocalImageGenerator::generate(const std::string& prompt, const std::optional<std::string>&,
                                             const PredictionStarted&, std::stop_token) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.png", static_cast<unsigned long long>(fnv1a(prompt)));
  const auto path = images_dir_ / name;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(images_dir_, ec);
    if (ec) {
      throw errors::PermanentError("cannot create " + images_dir_.string() + " (" + ec.message() + "): check DATA_DIR");
    }
    const std::string png = render_png(prompt);
    auto tmp = path;
    tmp += ".tmp" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(png.data(), static_cast<std::streamsize>(png.size()));
      if (!f) throw errors::TransientError("cannot write " + tmp.string() + ": is the disk full? (DATA_DIR)");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw errors::TransientError("cannot rename " + tmp.string() + ": " + ec.message());
  }
  return {"file://" + path.string(), std::nullopt};
}

}  // namespace glisk::image
