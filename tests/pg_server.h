// A real PostgreSQL 15 for tests and benchmarks: initdb in a temporary directory, the
// server listening only on a Unix socket there (no TCP), stopped when the object goes.
// As root it runs as the unprivileged user `nobody` (PostgreSQL refuses to run as root).
// The binaries come from postgresql-15 (scripts/install-deps.sh).
#pragma once

#include <memory>
#include <string>

namespace samizdat::testing {

class PgServer {
 public:
  // The server shared by every test of this process, started on first use; nullptr (and
  // *why) when PostgreSQL 15 is not installed or will not start.
  static PgServer* Shared(std::string* why);
  // Starts a server of its own. Tests run without fsync (a test database need not survive
  // a power loss, and the shared disk is spared); `durable` keeps PostgreSQL's defaults
  // (fsync, synchronous commit), for benchmarks that compare it with SQLite.
  static std::unique_ptr<PgServer> Start(std::string* why, bool durable = false);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // A new empty database; returns its postgresql:// URI, or "" (and *why).
  std::string NewDatabase(std::string* why);

 private:
  explicit PgServer(std::string dir) : dir_(std::move(dir)) {}
  std::string Uri(const std::string& database) const;
  std::string dir_;
  int databases_ = 0;
};

// The bin directory of PostgreSQL 15.
inline const char* kPgBin = "/usr/lib/postgresql/15/bin";

}  // namespace samizdat::testing
