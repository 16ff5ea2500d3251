// SPDX-License-Identifier: GPL-2.0-or-later
// helperprobe: a client of kmodrescue-helper for the system tests, run as an unprivileged test user.
// It goes through core's HelperClient (the generated proxy) like the GUI and CLI do, and prints
// one line: "ok ..." or "error NAME<TAB>MESSAGE".
//
//   helperprobe unload HEXNAME [STEPS] [--interactive] [--holders HEX,HEX] [--override]
//   helperprobe readlog              "ok records=N last=SEQ"
//   helperprobe readafter SEQ [--interactive]   ReadKernelLogAfter: "ok records=N", then one line
//                                    "record SEQ MESSAGE" per record
//   helperprobe fire HEXNAME STEPS   send Unload and exit at once, without waiting for the reply
//   helperprobe own                  try to own io.github.kmodrescue.Helper1
//   helperprobe click HEXNAME STEPS  warm the helper, then time one Unload call to its reply (bench/)
// Names are hex-encoded UTF-8 so that any byte sequence survives the command line.
#include "helperclient/helperclient.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QElapsedTimer>
#include <QTextStream>

#include <cstdio>

using namespace kmr;

static QString fromHex(const QString &h)
{
    return QString::fromUtf8(QByteArray::fromHex(h.toLatin1()));
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QStringList a = app.arguments().mid(1);
    if (a.isEmpty()) {
        out << "usage: helperprobe unload|readlog|fire|own ...\n";
        return 2;
    }
    const QString cmd = a.at(0);
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        out << "error connect\t" << bus.lastError().message() << '\n';
        return 0;
    }
    if (cmd == QLatin1String("own")) {
        if (bus.interface()->registerService(HelperClient::Service).isValid()
            && bus.interface()->isServiceRegistered(HelperClient::Service)
            && bus.interface()->serviceOwner(HelperClient::Service).value() == bus.baseService())
            out << "ok owned\n";
        else
            out << "error " << bus.lastError().name() << '\t' << bus.lastError().message() << '\n';
        return 0;
    }
    if (cmd == QLatin1String("fire") && a.size() >= 3) {
        registerHelperTypes();
        QDBusMessage m = QDBusMessage::createMethodCall(
            HelperClient::Service, HelperClient::Path, HelperClient::Service, QStringLiteral("Unload"));
        m.setArguments({fromHex(a.at(1)), QStringList(), uint(a.at(2).toUInt()), false});
        bus.send(m);
        // A round trip to the bus on the same connection: when it returns, the call above has
        // reached the bus. Then leave without waiting for the helper's answer.
        bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.DBus"));
        out << "ok fired\n";
        return 0;
    }

    if (cmd == QLatin1String("click") && a.size() >= 3) {
        // The GUI's click, measured: the client is up and the helper already running (a first
        // call warms it), then one Unload from the call to its reply.
        HelperClient client(bus);
        client.setInteractive(false);
        QElapsedTimer t;
        qint64 ns = -1;
        bool warm = false;
        QObject::connect(&client, &HelperClient::kernelLogRead, &app, [&] {
            warm = true;
            UnloadRequest r;
            r.module = fromHex(a.at(1));
            r.steps = a.at(2).toUInt();
            t.start();
            client.unload(r);
        });
        QObject::connect(&client, &HelperClient::unloadFinished, &app, [&](const UnloadResult &r) {
            ns = t.nsecsElapsed();
            out << "ok gone=" << (r.gone ? 1 : 0) << " ns=" << ns << '\n';
            app.quit();
        });
        QObject::connect(&client, &HelperClient::failed, &app, [&](const HelperFailure &f) {
            out << "error " << f.dbusName << '\t' << f.message << (warm ? "" : " (while warming up)") << '\n';
            app.quit();
        });
        client.readKernelLog();
        return app.exec();
    }

    HelperClient client(bus);
    client.setInteractive(a.contains(QLatin1String("--interactive")));
    QObject::connect(&client, &HelperClient::failed, &app, [&](const HelperFailure &f) {
        out << "error " << f.dbusName << '\t' << f.message << '\n';
        app.quit();
    });
    QObject::connect(&client, &HelperClient::unloadFinished, &app, [&](const UnloadResult &r) {
        out << "ok gone=" << (r.gone ? 1 : 0) << " state=" << r.finalState << " steps=" << r.steps.size() << '\n';
        app.quit();
    });
    // "PRI,SEQ,USEC,FLAGS;MESSAGE\n KEY=value": SEQ and MESSAGE.
    const auto seqOf = [](const QString &r) { return r.section(QLatin1Char(','), 1, 1); };
    QObject::connect(&client, &HelperClient::kernelLogRead, &app, [&](const QStringList &records) {
        out << "ok records=" << records.size() << " last=" << (records.isEmpty() ? QString() : seqOf(records.last()))
            << '\n';
        app.quit();
    });
    QObject::connect(&client, &HelperClient::kernelLogReadAfter, &app, [&](qint64, const QStringList &records) {
        out << "ok records=" << records.size() << '\n';
        for (const QString &r : records)
            out << "record " << seqOf(r) << ' ' << r.section(QLatin1Char(';'), 1).section(QLatin1Char('\n'), 0, 0)
                << '\n';
        app.quit();
    });
    if (cmd == QLatin1String("unload") && a.size() >= 2) {
        UnloadRequest r;
        r.module = fromHex(a.at(1));
        r.steps = a.size() >= 3 && !a.at(2).startsWith(QLatin1Char('-')) ? a.at(2).toUInt() : StepPlainRmmod;
        r.overrideRealUse = a.contains(QLatin1String("--override"));
        const int hi = a.indexOf(QLatin1String("--holders"));
        if (hi > 0 && hi + 1 < a.size())
            for (const QString &h : a.at(hi + 1).split(QLatin1Char(',')))
                r.holders << fromHex(h);
        client.unload(r);
    } else if (cmd == QLatin1String("readlog")) {
        client.readKernelLog();
    } else if (cmd == QLatin1String("readafter") && a.size() >= 2) {
        client.readKernelLogAfter(a.at(1).toLongLong());
    } else {
        out << "usage: unknown command " << cmd << '\n';
        return 2;
    }
    return app.exec();
}
