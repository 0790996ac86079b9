#include "publish/zip.h"

#include <zlib.h>

namespace samizdat::publish {
namespace {

// 1980-01-01 00:00 in DOS form: fixed, so the same files give the same archive.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;

void Put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}

void Put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint16_t Get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) |
                               (static_cast<unsigned char>(s[at + 1]) << 8));
}

uint32_t Get32(std::string_view s, size_t at) {
  return Get16(s, at) | (static_cast<uint32_t>(Get16(s, at + 2)) << 16);
}

// Raw deflate (no zlib header), as ZIP method 8 stores it.
std::string Deflate(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool Inflate(std::string_view data, size_t size, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return false;
  out->assign(size, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = inflate(&z, Z_FINISH);
  bool ok = rc == Z_STREAM_END && z.total_out == size;
  inflateEnd(&z);
  return ok;
}

// The fields local and central headers share: version, flags (bit 11: UTF-8 names),
// method, time, date, CRC, sizes, name length.
void CommonFields(std::string& s, uint16_t method, uint32_t crc, uint32_t csize, uint32_t size,
                  size_t name_size) {
  Put16(s, 20);
  Put16(s, 1 << 11);
  Put16(s, method);
  Put16(s, kDosTime);
  Put16(s, kDosDate);
  Put32(s, crc);
  Put32(s, csize);
  Put32(s, size);
  Put16(s, static_cast<uint16_t>(name_size));
}

}  // namespace

void ZipWriter::Add(const std::string& name, std::string_view data, bool stored) {
  Entry e;
  e.name = name;
  e.crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  e.size = static_cast<uint32_t>(data.size());
  std::string body = stored ? std::string(data) : Deflate(data);
  if (!stored && body.size() >= data.size()) body = std::string(data), stored = true;
  e.method = stored ? 0 : 8;
  e.compressed_size = static_cast<uint32_t>(body.size());
  e.offset = static_cast<uint32_t>(out_.size());
  Put32(out_, 0x04034b50);
  CommonFields(out_, e.method, e.crc, e.compressed_size, e.size, name.size());
  Put16(out_, 0);  // no extra field
  out_ += name;
  out_ += body;
  entries_.push_back(std::move(e));
}

std::string ZipWriter::Finish() {
  uint32_t dir_offset = static_cast<uint32_t>(out_.size());
  for (const Entry& e : entries_) {
    Put32(out_, 0x02014b50);
    Put16(out_, 20);  // made by: version 2.0
    CommonFields(out_, e.method, e.crc, e.compressed_size, e.size, e.name.size());
    Put16(out_, 0);  // extra
    Put16(out_, 0);  // comment
    Put16(out_, 0);  // disk
    Put16(out_, 0);  // internal attributes
    Put32(out_, 0);  // external attributes
    Put32(out_, e.offset);
    out_ += e.name;
  }
  uint32_t dir_size = static_cast<uint32_t>(out_.size()) - dir_offset;
  Put32(out_, 0x06054b50);
  Put16(out_, 0);
  Put16(out_, 0);
  Put16(out_, static_cast<uint16_t>(entries_.size()));
  Put16(out_, static_cast<uint16_t>(entries_.size()));
  Put32(out_, dir_size);
  Put32(out_, dir_offset);
  Put16(out_, 0);
  return std::move(out_);
}

bool ReadZip(std::string_view zip, std::vector<std::pair<std::string, std::string>>* entries,
             std::string* error) {
  size_t at = 0;
  while (at + 30 <= zip.size() && Get32(zip, at) == 0x04034b50) {
    uint16_t method = Get16(zip, at + 8);
    uint32_t csize = Get32(zip, at + 18), size = Get32(zip, at + 22);
    size_t name_len = Get16(zip, at + 26), extra_len = Get16(zip, at + 28);
    size_t data_at = at + 30 + name_len + extra_len;
    if (data_at + csize > zip.size() || (method != 0 && method != 8)) {
      *error = "malformed or unsupported zip entry at byte " + std::to_string(at);
      return false;
    }
    std::string name(zip.substr(at + 30, name_len)), data;
    if (method == 0)
      data = std::string(zip.substr(data_at, csize));
    else if (!Inflate(zip.substr(data_at, csize), size, &data)) {
      *error = "cannot inflate " + name;
      return false;
    }
    entries->emplace_back(std::move(name), std::move(data));
    at = data_at + csize;
  }
  return true;
}

}  // namespace samizdat::publish
