// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/kernelfactsreader.h"
#include "snapshot/taint.h"

#include <QTemporaryDir>
#include <QTest>

using namespace kmr;

class TestKernelFacts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compilerFromProcVersion_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("compiler");
        QTest::newRow("debian 6.1")
            << "Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) "
               "12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-10-01)"
            << "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0";
        QTest::newRow("clang") << "Linux version 6.6.0 (u@h) (clang version 17.0.6, LLD 17.0.6) #1 SMP"
                               << "clang version 17.0.6";
        QTest::newRow("old rhel 4.8.5")
            << "Linux version 3.10.0-957.el7.x86_64 (mockbuild@x86-040.build.eng.bos.redhat.com) (gcc version 4.8.5 "
               "20150623 (Red Hat 4.8.5-36) (GCC) ) #1 SMP Thu Oct 4 20:48:51 UTC 2018"
            << "gcc version 4.8.5 20150623 (Red Hat 4.8.5-36) (GCC)";
        QTest::newRow("no compiler") << "Linux version 6.1.0 #1 SMP"
                                     << "";
        QTest::newRow("garbage") << "(((("
                                 << "";
    }
    void compilerFromProcVersion()
    {
        QFETCH(QString, line);
        QTEST(kmr::compilerFromProcVersion(line), "compiler");
    }

    void lockdown_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mode");
        QTest::newRow("none") << "[none] integrity confidentiality"
                              << "none";
        QTest::newRow("integrity") << "none [integrity] confidentiality"
                                   << "integrity";
        QTest::newRow("confidentiality") << "none integrity [confidentiality]"
                                         << "confidentiality";
        QTest::newRow("malformed") << "none integrity"
                                   << "";
    }
    void lockdown()
    {
        QFETCH(QString, text);
        QTEST(activeLockdownMode(text), "mode");
    }

    void configValues()
    {
        const QByteArray cfg = "CONFIG_MODULES=y\n# CONFIG_MODULE_FORCE_UNLOAD is not set\n"
                               "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n";
        QCOMPARE(kernelConfigValue(cfg, "CONFIG_MODULES"), QStringLiteral("y"));
        QCOMPARE(kernelConfigValue(cfg, "CONFIG_MODULE_FORCE_UNLOAD"), QStringLiteral("n"));
        QCOMPARE(kernelConfigValue(cfg, "CONFIG_CC_VERSION_TEXT"), QStringLiteral("gcc-12 (Debian 12.2.0-14) 12.2.0"));
        QCOMPARE(kernelConfigValue(cfg, "CONFIG_MODULE"), QString()); // prefix of another option
        QCOMPARE(kernelConfigValue(cfg, "CONFIG_ABSENT"), QString());
    }

    void taintDecodesAllTwentyBits()
    {
        QCOMPARE(taintFlags().size(), 20);
        QCOMPARE(taintLetters(0), QString());
        QCOMPARE(taintLetters((1 << 12) | (1 << 13)), QStringLiteral("OE"));
        QCOMPARE(taintLetters((1u << 20) - 1), QStringLiteral("PFSRMBUDAWCIOELKXTNJ"));
        QCOMPARE(taintMaskFromLetters(QStringLiteral("DOE")), quint64((1 << 7) | (1 << 12) | (1 << 13)));
        QCOMPARE(describeTaint(1 << 3).first(), QStringLiteral("R (bit 3): module was force unloaded"));
        QVERIFY(describeTaint(quint64(1) << 40).last().contains(QStringLiteral("undocumented")));
    }

    void factsFromFixture()
    {
        const KernelFacts k = readKernelFacts(QStringLiteral(KMR_FIXTURES "/roots/basic"));
        QVERIFY(k.moduleSupport);
        QCOMPARE(k.release.value, QStringLiteral("6.12.117+deb12-amd64"));
        QCOMPARE(k.compiler.value, QStringLiteral("x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"));
        QVERIFY(k.taintKnown);
        QCOMPARE(k.taintLetters, QStringLiteral("PWOE"));
        QCOMPARE(k.lockdown.value, QStringLiteral("none"));
        QCOMPARE(k.sigEnforce.value, QStringLiteral("N"));
        QCOMPARE(k.modulesDisabled.value, QStringLiteral("0"));
        QCOMPARE(k.forceUnload.value, QStringLiteral("y"));
        QVERIFY(k.configSource.value.endsWith(QStringLiteral("/boot/config-6.12.117+deb12-amd64")));
    }

    void missingEverythingSaysWhy()
    {
        QTemporaryDir empty;
        const KernelFacts k = readKernelFacts(empty.path());
        QVERIFY(!k.moduleSupport);
        QVERIFY(!k.release.known());
        QVERIFY(k.release.why.contains(QStringLiteral("No such file")));
        QVERIFY(!k.forceUnload.known());
        QVERIFY2(k.forceUnload.why.contains(QStringLiteral("no kernel config")), qPrintable(k.forceUnload.why));
        QVERIFY(!k.lockdown.known());
        QVERIFY(!k.taintKnown);
    }
};

QTEST_GUILESS_MAIN(TestKernelFacts)
#include "tst_kernelfacts.moc"
