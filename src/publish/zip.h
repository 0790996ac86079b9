// A small ZIP writer (zlib's deflate and CRC-32): what EPUB and `bundle --zip` need, built
// in memory. Entries keep the order they are added in (EPUB wants "mimetype" first and
// stored); the timestamps are fixed, so one input gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat::publish {

class ZipWriter {
 public:
  // `stored`: no compression (EPUB's mimetype must be stored).
  void Add(const std::string& name, std::string_view data, bool stored = false);
  // The archive: the entries, the central directory and its end record.
  std::string Finish();
  size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    uint32_t crc = 0;
    uint32_t size = 0, compressed_size = 0;
    uint16_t method = 0;
    uint32_t offset = 0;
  };
  std::vector<Entry> entries_;
  std::string out_;
};

// The entries of a ZIP archive written by ZipWriter (or any archive without ZIP64,
// encryption or data descriptors), read from the local headers in order. False with *error on a
// malformed archive.
bool ReadZip(std::string_view zip, std::vector<std::pair<std::string, std::string>>* entries,
             std::string* error);

}  // namespace samizdat::publish
