// SPDX-License-Identifier: GPL-2.0-or-later
// Compiler names as .comment, /proc/version and CONFIG_CC_VERSION_TEXT spell them.
#include "diagnosis/compilerid.h"

#include <QTest>

using namespace kmr;

class TestCompilerId : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("version");
        QTest::newRow(".comment debian") << "GCC: (Debian 12.2.0-14) 12.2.0"
                                         << "gcc"
                                         << "12.2.0";
        QTest::newRow("/proc/version debian") << "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"
                                              << "gcc"
                                              << "12.2.0";
        QTest::newRow("cross prefix") << "x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"
                                      << "gcc"
                                      << "12.2.0";
        QTest::newRow("gcc-11 module") << "GCC: (Debian 11.3.0-12) 11.3.0"
                                       << "gcc"
                                       << "11.3.0";
        QTest::newRow("rhel 7 kernel") << "gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC)"
                                       << "gcc"
                                       << "4.8.5";
        QTest::newRow("rhel style") << "gcc (GCC) 4.8.5 20150623 (Red Hat 4.8.5-44)"
                                    << "gcc"
                                    << "4.8.5";
        QTest::newRow("gnu 7.3") << "GCC: (GNU) 7.3.0"
                                 << "gcc"
                                 << "7.3.0";
        QTest::newRow("ubuntu") << "GCC: (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0"
                                << "gcc"
                                << "11.4.0";
        QTest::newRow("clang") << "Debian clang version 14.0.6"
                               << "clang"
                               << "14.0.6";
        QTest::newRow("clang + lld")
            << "clang version 16.0.0 (https://github.com/llvm/llvm-project.git 08d094a0e457) Linker: LLD 16.0.0"
            << "clang"
            << "16.0.0";
        QTest::newRow("two strings") << "GCC: (Debian 12.2.0-14) 12.2.0\nGCC: (Debian 12.2.0-14) 12.2.0"
                                     << "gcc"
                                     << "12.2.0";
        QTest::newRow("garbage") << "something else"
                                 << ""
                                 << "";
        QTest::newRow("empty") << ""
                               << ""
                               << "";
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QString, family);
        QFETCH(QString, version);
        const CompilerId id = parseCompilerId(text);
        QCOMPARE(id.family, family);
        QCOMPARE(id.version, version);
        QCOMPARE(id.valid(), !family.isEmpty());
    }

    void compare_data()
    {
        QTest::addColumn<QString>("module");
        QTest::addColumn<QString>("kernel");
        QTest::addColumn<int>("match");
        QTest::newRow("same build, different spelling")
            << "GCC: (Debian 12.2.0-14) 12.2.0"
            << "gcc-12 (Debian 12.2.0-14) 12.2.0" << int(CompilerMatch::Same);
        QTest::newRow("gcc 11 on gcc 12") << "GCC: (Debian 11.3.0-12) 11.3.0"
                                          << "gcc-12 (Debian 12.2.0-14) 12.2.0" << int(CompilerMatch::Different);
        QTest::newRow("gcc 7.3 on 4.8.5")
            << "GCC: (GNU) 7.3.0"
            << "gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC)" << int(CompilerMatch::Different);
        QTest::newRow("minor") << "GCC: (Debian 12.3.0-1) 12.3.0"
                               << "gcc-12 (Debian 12.2.0-14) 12.2.0" << int(CompilerMatch::MinorDifference);
        QTest::newRow("clang on gcc") << "Debian clang version 14.0.6"
                                      << "gcc-12 (Debian 12.2.0-14) 12.2.0" << int(CompilerMatch::Different);
        QTest::newRow("unknown") << "???"
                                 << "gcc-12 (Debian 12.2.0-14) 12.2.0" << int(CompilerMatch::Unknown);
    }

    void compare()
    {
        QFETCH(QString, module);
        QFETCH(QString, kernel);
        QFETCH(int, match);
        QCOMPARE(int(compareCompilers(parseCompilerId(module), parseCompilerId(kernel))), match);
    }
};

QTEST_GUILESS_MAIN(TestCompilerId)
#include "tst_compilerid.moc"
