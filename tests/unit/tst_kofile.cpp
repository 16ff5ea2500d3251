// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/kofile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace kmr;

static const QString Dummy
    = QStringLiteral(KMR_FIXTURES "/roots/basic/lib/modules/6.12.117+deb12-amd64/kernel/dummy.ko.xz");

class TestKoFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsACompressedModule()
    {
        const KoFileFacts f = readKoFile(Dummy);
        QCOMPARE(f.compiler.value, QStringLiteral("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"));
        QCOMPARE(toString(f.exit), toString(ExitPresence::Present));
        QVERIFY(f.hasInit);
    }

    void readsAnUncompressedModule()
    {
        QByteArray image;
        QString why;
        QVERIFY2(loadModuleImage(Dummy, &image, &why), qPrintable(why));
        QVERIFY(image.startsWith("\x7f"
                                 "ELF"));
        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("dummy.ko"));
        QFile f(plain);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(image);
        f.close();
        QCOMPARE(readKoFile(plain).compiler.value, QStringLiteral("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"));
    }

    void damagedImagesSayWhy_data()
    {
        QTest::addColumn<int>("cut");
        QTest::addColumn<QString>("why");
        QTest::newRow("empty") << 0 << "not an ELF file";
        QTest::newRow("header only") << 64 << "section header table is truncated";
        QTest::newRow("half") << -2 << "truncated";
    }
    void damagedImagesSayWhy()
    {
        QFETCH(int, cut);
        QFETCH(QString, why);
        QByteArray image;
        QString err;
        QVERIFY(loadModuleImage(Dummy, &image, &err));
        const QByteArray damaged = cut == -2 ? image.left(image.size() / 2) : image.left(cut);
        const KoFileFacts f = parseKoImage(damaged, QStringLiteral("x.ko"));
        QVERIFY(!f.compiler.known());
        QVERIFY2(f.compiler.why.contains(why), qPrintable(f.compiler.why));
        QCOMPARE(toString(f.exit), toString(ExitPresence::Unknown));
    }

    void randomBytesNeverCrash()
    {
        QByteArray image;
        QString err;
        QVERIFY(loadModuleImage(Dummy, &image, &err));
        // Flip bytes all over the headers: every result is either facts or a reason, never a crash.
        for (int i = 0; i < 2000; ++i) {
            QByteArray d = image;
            const int at = (i * 7919) % qMin<int>(d.size(), 4096);
            d[at] = char(d[at] ^ (1 + i % 255));
            const int tail = d.size() - 1 - (i * 104729) % d.size();
            d[tail] = char(d[tail] ^ 0x5a);
            const KoFileFacts f = parseKoImage(d, QStringLiteral("fuzzed.ko"));
            QVERIFY(f.compiler.known() || !f.compiler.why.isEmpty());
        }
    }

    void notACompressedFile()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("junk.ko.xz"));
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        static const char notXz[] = "\xfd"
                                    "7zXZ\0garbage that is not xz";
        f.write(notXz, sizeof notXz - 1);
        f.close();
        const KoFileFacts k = readKoFile(p);
        QVERIFY(!k.compiler.known());
        QVERIFY2(k.compiler.why.contains(QStringLiteral("junk.ko.xz")), qPrintable(k.compiler.why));
        QVERIFY(!readKoFile(dir.filePath(QStringLiteral("absent.ko"))).compiler.known());
    }
};

QTEST_GUILESS_MAIN(TestKoFile)
#include "tst_kofile.moc"
