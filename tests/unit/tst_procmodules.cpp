// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/procmodules.h"

#include <QTest>

using namespace kmr;

class TestProcModules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("refcount");
        QTest::addColumn<QStringList>("usedBy");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("taint");
        // Lines captured from Debian 6.1 and 6.12 kernels.
        QTest::newRow("plain") << QByteArray("dummy 16384 0 - Live 0xffffffffc0a1c000") << "dummy" << qint64(16384) << 0
                               << QStringList() << "Live"
                               << "";
        QTest::newRow("holders") << QByteArray(
            "virtio_ring 45056 5 virtio_net,virtio_blk,virtio_pci, Live 0xffffffffc0040000")
                                 << "virtio_ring" << qint64(45056) << 5
                                 << QStringList {"virtio_net", "virtio_blk", "virtio_pci"} << "Live"
                                 << "";
        QTest::newRow("tainted loading") << QByteArray("kmr_initoops 12288 1 - Loading 0xffffffffc0a08000 (OE)")
                                         << "kmr_initoops" << qint64(12288) << 1 << QStringList() << "Loading"
                                         << "OE";
        QTest::newRow("unloading") << QByteArray("kmr_exitoops 12288 0 - Unloading 0x0000000000000000 (OE)")
                                   << "kmr_exitoops" << qint64(12288) << 0 << QStringList() << "Unloading"
                                   << "OE";
        QTest::newRow("no unload support")
            << QByteArray("foo 4096 - - Live 0x0") << "foo" << qint64(4096) << -1 << QStringList() << "Live"
            << "";
        QTest::newRow("extra spaces") << QByteArray("  foo   4096  3  -  Live  0x0  ") << "foo" << qint64(4096) << 3
                                      << QStringList() << "Live"
                                      << "";
    }
    void parsesLines()
    {
        QFETCH(QByteArray, line);
        const ProcModulesParse p = parseProcModules(line + '\n');
        QVERIFY2(p.warnings.isEmpty(), qPrintable(p.warnings.join(QLatin1Char('\n'))));
        QCOMPARE(p.entries.size(), 1);
        const ProcModulesEntry &e = p.entries.first();
        QTEST(e.name, "name");
        QTEST(e.size, "size");
        QTEST(e.refcount, "refcount");
        QTEST(e.usedBy, "usedBy");
        QTEST(toString(e.state), "state");
        QTEST(e.taint, "taint");
    }

    void malformedLinesAreSkippedWithAWarning_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("why");
        QTest::newRow("too few fields") << QByteArray("foo 4096 0") << "expected at least 5 fields";
        QTest::newRow("bad size") << QByteArray("foo 12x88 0 - Live 0x0") << "size '12x88' is not a number";
        QTest::newRow("negative size") << QByteArray("foo -5 0 - Live 0x0") << "size '-5' is not a number";
        QTest::newRow("bad refcount") << QByteArray("foo 4096 many - Live 0x0") << "refcount 'many' is not a number";
        QTest::newRow("bad state") << QByteArray("foo 4096 0 - Dead 0x0") << "unknown state 'Dead'";
        QTest::newRow("binary junk") << QByteArray("\x01\x02\x03\xff\xfe 1 2 3 4 5", 16) << "unknown state '4'";
    }
    void malformedLinesAreSkippedWithAWarning()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, why);
        // The good line after the bad one must survive.
        const ProcModulesParse p = parseProcModules(line + "\nokmod 4096 0 - Live 0x0\n");
        QCOMPARE(p.entries.size(), 1);
        QCOMPARE(p.entries.first().name, QStringLiteral("okmod"));
        QCOMPARE(p.warnings.size(), 1);
        QVERIFY2(p.warnings.first().contains(QStringLiteral("line 1")), qPrintable(p.warnings.first()));
        QVERIFY2(p.warnings.first().contains(why), qPrintable(p.warnings.first()));
    }

    void nonUtf8NameIsKeptAndFlagged()
    {
        const ProcModulesParse p = parseProcModules(QByteArray("kmr_\xff"
                                                               "odd 4096 0 - Live 0x0\n"));
        QCOMPARE(p.entries.size(), 1);
        QVERIFY(p.entries.first().nameLossy);
        QVERIFY(p.entries.first().name.startsWith(QStringLiteral("kmr_")));
        QCOMPARE(p.warnings.size(), 1);
        QVERIFY(p.warnings.first().contains(QStringLiteral("not UTF-8")));
    }

    void emptyInputGivesNothing()
    {
        const ProcModulesParse p = parseProcModules(QByteArray());
        QVERIFY(p.entries.isEmpty());
        QVERIFY(p.warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestProcModules)
#include "tst_procmodules.moc"
