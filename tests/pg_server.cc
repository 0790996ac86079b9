#include "pg_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "test_util.h"

namespace samizdat::testing {
namespace {

// The command line that runs `args` as the server's user: as is, or under runuser as
// nobody when this process is root.
std::vector<std::string> AsServerUser(std::vector<std::string> args) {
  if (geteuid() != 0) return args;
  std::vector<std::string> wrapped = {"/usr/sbin/runuser", "-u", "nobody", "--"};
  wrapped.insert(wrapped.end(), args.begin(), args.end());
  return wrapped;
}

bool GiveToServerUser(const std::string& dir) {
  if (geteuid() != 0) return true;
  struct passwd* pw = getpwnam("nobody");
  return pw && chown(dir.c_str(), pw->pw_uid, pw->pw_gid) == 0;
}

}  // namespace

std::unique_ptr<PgServer> PgServer::Start(std::string* why, bool durable) {
  const std::string bin = kPgBin;
  if (access((bin + "/initdb").c_str(), X_OK) != 0) {
    *why = "PostgreSQL 15 is not installed (" + bin + "/initdb); run scripts/install-deps.sh";
    return nullptr;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "samizdat-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data()) || !GiveToServerUser(tmpl)) {
    *why = "cannot make a directory for PostgreSQL";
    return nullptr;
  }
  std::unique_ptr<PgServer> server(new PgServer(tmpl));
  const std::string data = tmpl + "/data";
  ChildRun init = RunChild(AsServerUser({bin + "/initdb", "-D", data, "-A", "trust", "-U",
                                         "samizdat", "--locale=C", "-E", "UTF8", "--no-sync"}),
                           /*quiet=*/true);
  if (init.status != 0) {
    *why = "initdb failed in " + data;
    return nullptr;
  }
  // Only the Unix socket in the directory.
  std::string options =
      "-c listen_addresses='' -c unix_socket_directories='" + tmpl + "' -c max_connections=60";
  if (!durable) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  ChildRun start = RunChild(AsServerUser({bin + "/pg_ctl", "-D", data, "-l", tmpl + "/log", "-o",
                                          options, "-w", "-t", "60", "start"}),
                            /*quiet=*/true);
  if (start.status != 0) {
    *why = "pg_ctl start failed; see " + tmpl + "/log";
    return nullptr;
  }
  return server;
}

PgServer* PgServer::Shared(std::string* why) {
  static std::string failure;
  static std::unique_ptr<PgServer> shared = Start(&failure);
  if (!shared) *why = failure;
  return shared.get();
}

PgServer::~PgServer() {
  (void)RunChild(AsServerUser({std::string(kPgBin) + "/pg_ctl", "-D", dir_ + "/data", "-m",
                               "immediate", "-w", "stop"}),
                 /*quiet=*/true);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PgServer::Uri(const std::string& database) const {
  return "postgresql://samizdat@/" + database + "?host=" + dir_;
}

std::string PgServer::NewDatabase(std::string* why) {
  const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  PGconn* conn = PQconnectdb(Uri("postgres").c_str());
  bool ok = conn && PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) *why = PQresultErrorMessage(res);
    PQclear(res);
  } else {
    *why = conn ? PQerrorMessage(conn) : "out of memory";
  }
  PQfinish(conn);
  return ok ? Uri(name) : "";
}

}  // namespace samizdat::testing
