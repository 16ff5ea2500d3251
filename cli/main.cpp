// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli: the same core as the GUI, as text or --json. See docs/cli.md.
#include "command.h"

#include "bundle/samplebundle.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace kmr::cli {

static QList<Command> &registry()
{
    static QList<Command> r;
    return r;
}

Registrar::Registrar(const char *name, const char *usage, const char *summary, Handler h)
{
    registry().append(
        Command {QString::fromUtf8(name), QString::fromUtf8(usage), QString::fromUtf8(summary), std::move(h)});
}

const QList<Command> &commands()
{
    return registry();
}

void printJson(QTextStream &out, const QJsonObject &o)
{
    out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

} // namespace kmr::cli

using namespace kmr::cli;

static void usage(QTextStream &s)
{
    s << "usage: kmodrescue-cli [--root DIR | --bundle FILE | --sosreport PATH | --sample] COMMAND [ARGS] [--json]\n\n"
         "  --bundle FILE     a diagnostic bundle, or a sosreport (its tarball or unpacked directory)\n"
         "  --sosreport PATH  the same, said plainly\n"
         "  --sample          the bundle recorded in the kmodrescue lab on a real kernel with its test\n"
         "                    modules stuck, embedded in this program; not this machine\n\ncommands:\n";
    QList<Command> cmds = commands();
    std::sort(cmds.begin(), cmds.end(), [](const Command &a, const Command &b) { return a.name < b.name; });
    for (const Command &c : cmds)
        s << "  " << c.usage.leftJustified(34) << ' ' << c.summary << '\n';
    s << "\nexit codes: 0 ok, 1 failed, 2 usage, 3 no such module, 4 no module support,\n"
         "            5 denied, 6 bad input, 7 refused (see docs/cli.md)\n";
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kmodrescue-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KMR_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QStringList args = app.arguments().mid(1);
    Context ctx {{}, out, err, QStringLiteral("/"), {}, false};
    QString command;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (command.isEmpty()
            && (a == QLatin1String("--root") || a == QLatin1String("--bundle") || a == QLatin1String("--sosreport"))) {
            if (i + 1 >= args.size()) {
                err << "kmodrescue-cli: " << a << " needs an argument\n";
                return ExitUsage;
            }
            (a == QLatin1String("--root") ? ctx.root : ctx.bundle) = args.at(++i);
        } else if (command.isEmpty() && a == QLatin1String("--sample")) {
            ctx.bundle = kmr::bundle::sampleBundlePath(); // the embedded lab recording (docs/cli.md)
        } else if (a == QLatin1String("--json")) {
            ctx.json = true;
        } else if (command.isEmpty()
            && (a == QLatin1String("-h") || a == QLatin1String("--help") || a == QLatin1String("help"))) {
            usage(out);
            return ExitOk;
        } else if (command.isEmpty() && a == QLatin1String("--version")) {
            out << "kmodrescue-cli " << KMR_VERSION << '\n';
            return ExitOk;
        } else if (command.isEmpty() && !a.startsWith(QLatin1Char('-'))) {
            command = a;
        } else if (command.isEmpty()) {
            err << "kmodrescue-cli: unknown option " << a << "\n";
            usage(err);
            return ExitUsage;
        } else {
            ctx.args << a;
        }
    }
    if (command.isEmpty()) {
        usage(err);
        return ExitUsage;
    }
    for (const Command &c : commands()) {
        if (c.name == command) {
            const int rc = c.handler(ctx);
            out.flush();
            err.flush();
            return rc;
        }
    }
    err << "kmodrescue-cli: unknown command '" << command << "'\n";
    usage(err);
    return ExitUsage;
}
