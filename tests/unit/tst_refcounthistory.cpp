// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/refcounthistory.h"
#include "refcount/refcountsampler.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace kmr;

class TestRefcountHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void storesChangesOnly()
    {
        RefcountHistory h;
        h.record(QStringLiteral("m"), 0, 1000, 0);
        h.record(QStringLiteral("m"), 1000, 1000, 0);
        h.record(QStringLiteral("m"), 2000, 1000, 3);
        h.record(QStringLiteral("m"), 3000, 1000, 3);
        h.record(QStringLiteral("m"), 60000, 1000, 1000); // long form: far and big
        h.record(QStringLiteral("m"), 61000, 1000, RefcountPoint::kAbsent);
        h.record(QStringLiteral("m"), 62000, 1000, 7); // loaded again
        const QList<RefcountPoint> pts = h.points(QStringLiteral("m"));
        const QList<RefcountPoint> want {{0, 0}, {2000, 3}, {60000, 1000}, {61000, RefcountPoint::kAbsent}, {62000, 7}};
        QCOMPARE(pts, want);
    }

    void rangeIncludesThePointInForce()
    {
        RefcountHistory h;
        for (int i = 0; i < 100; ++i)
            h.record(QStringLiteral("m"), i * 10, 10, i / 10);
        const QList<RefcountPoint> pts = h.points(QStringLiteral("m"), 455, 620);
        QCOMPARE(pts.first(), (RefcountPoint {400, 4}));
        QCOMPARE(pts.last(), (RefcountPoint {600, 6}));
        QCOMPARE(pts.size(), 3);
    }

    void roundTripsEveryDeltaAcrossChunks()
    {
        RefcountHistory h;
        QList<RefcountPoint> want;
        qint64 v = 0;
        for (int i = 0; i < 5000; ++i) {
            const qint64 step = (i % 37) - 18; // -18..18: short and long forms
            if (step == 0)
                continue;
            v += step;
            const qint64 t = qint64(i) * 10 + (i % 3); // jitter below a period
            h.record(QStringLiteral("m"), t, 10, v);
            want.append({t, v});
        }
        const QList<RefcountPoint> got = h.points(QStringLiteral("m"));
        QCOMPARE(got.size(), want.size());
        for (qsizetype i = 0; i < got.size(); ++i) {
            QCOMPARE(got.at(i).value, want.at(i).value);
            // Times are kept to the sampling period.
            QVERIFY2(qAbs(got.at(i).timeMs - want.at(i).timeMs) <= 5, qPrintable(QString::number(i)));
        }
    }

    // The goal: 24 h at 1 Hz for 300 modules under 50 MB, in the worst case where every
    // sample changes (by a small step, the usual get/put).
    void worstCaseDayFitsTheBudget()
    {
        RefcountHistory h(qint64(50) * 1024 * 1024);
        QStringList names;
        for (int m = 0; m < 300; ++m)
            names << QStringLiteral("module_%1").arg(m);
        for (qint64 s = 0; s < 24 * 3600; ++s) {
            for (int m = 0; m < 300; ++m)
                h.record(names.at(m), s * 1000, 1000, (s + m) % 2 ? 1 : 2);
        }
        qInfo("bytes used after 24 h x 300 modules, every sample a change: %lld (%.1f MiB)", h.bytesUsed(),
            h.bytesUsed() / 1048576.0);
        QVERIFY(h.bytesUsed() < qint64(50) * 1000 * 1000);
        QCOMPARE(h.droppedChunks(), 0); // nothing forgotten: the whole day is there
        QCOMPARE(h.oldestTimeMs(names.first()), 0);
        QCOMPARE(h.points(names.last(), 86398000, 86399000).size(), 2);
    }

    void budgetDropsOldestChunksOfTheBusiestModule()
    {
        RefcountHistory h(64 * 1024);
        for (qint64 s = 0; s < 100000; ++s)
            h.record(QStringLiteral("busy"), s * 1000, 1000, s % 2);
        h.record(QStringLiteral("quiet"), 0, 1000, 1);
        QVERIFY(h.bytesUsed() <= 64 * 1024 + 4096);
        QVERIFY(h.droppedChunks() > 0);
        QVERIFY(h.oldestTimeMs(QStringLiteral("busy")) > 0);
        QCOMPARE(h.points(QStringLiteral("quiet")).size(), 1);
        QCOMPARE(h.points(QStringLiteral("busy")).last().timeMs, 99999000);
    }

    void samplerReadsAFixtureTree()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        auto write = [&](const QString &mod, const QByteArray &v) {
            QDir().mkpath(root.path() + QStringLiteral("/sys/module/") + mod);
            QFile f(root.path() + QStringLiteral("/sys/module/") + mod + QStringLiteral("/refcnt"));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(v);
        };
        write(QStringLiteral("kmr_refleak"), "0\n");
        write(QStringLiteral("dummy"), "2\n");
        QDir().mkpath(root.path() + QStringLiteral("/sys/module/builtin_thing")); // no refcnt
        auto history = std::make_shared<RefcountHistory>();
        RefcountSampler s(history, root.path());
        s.setRateHz(500); // clamped
        QCOMPARE(s.rateHz(), RefcountSampler::kMaxHz);
        s.sampleOnce();
        write(QStringLiteral("kmr_refleak"), "3\n");
        s.sampleOnce();
        QDir(root.path() + QStringLiteral("/sys/module/dummy")).removeRecursively();
        s.setModules({}); // re-list now
        s.sampleOnce();
        QCOMPARE(history->modules(), (QStringList {QStringLiteral("dummy"), QStringLiteral("kmr_refleak")}));
        const auto leak = history->points(QStringLiteral("kmr_refleak"));
        QCOMPARE(leak.size(), 2);
        QCOMPARE(leak.last().value, 3);
        const auto dummy = history->points(QStringLiteral("dummy"));
        QCOMPARE(dummy.size(), 2);
        QCOMPARE(dummy.first().value, 2);
        QVERIFY(dummy.last().absent());
    }
};

QTEST_GUILESS_MAIN(TestRefcountHistory)
#include "tst_refcounthistory.moc"
