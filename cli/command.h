// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QTextStream>

#include <functional>

namespace kmr::cli {

// Exit codes, documented in docs/cli.md. Never renumber: scripts depend on them.
enum ExitCode {
    ExitOk = 0,
    ExitFailure = 1, // the operation ran and failed (e.g. the module is still loaded)
    ExitUsage = 2, // bad command line
    ExitNotFound = 3, // no such module
    ExitNoModuleSupport = 4, // the kernel has no loadable modules (/proc/modules missing)
    ExitDenied = 5, // polkit said no, or the helper is unavailable
    ExitBadInput = 6, // unreadable or corrupt input file (bundle, log, corpus)
    ExitRefused = 7, // the plan refused (module really in use, lockdown, ...)
};

struct Context {
    QStringList args; // arguments after the command name
    QTextStream &out;
    QTextStream &err;
    QString root; // --root DIR (fixture trees); "/" by default
    QString bundle; // --bundle FILE, empty for the live system
    bool json = false; // --json anywhere on the line
};

using Handler = std::function<int(Context &)>;

// Each cmd_<name>.cpp registers its command with a static Registrar:
//   static kmr::cli::Registrar reg{"list", "list [--json]", "the loaded modules", &run};
struct Registrar {
    Registrar(const char *name, const char *usage, const char *summary, Handler h);
};

struct Command {
    QString name, usage, summary;
    Handler handler;
};
const QList<Command> &commands();

// Shared helpers for commands.
void printJson(QTextStream &out, const QJsonObject &o);

} // namespace kmr::cli
