// SPDX-License-Identifier: GPL-2.0-or-later
// JobTracker: a newer job's result replaces an older one's, never the other way round.
#include "util/jobtracker.h"

#include <QObject>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <memory>

using kmr::JobTracker;

class TestJobTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deliversResultOnContextThread();
    void olderResultArrivingLaterIsDropped();
    void cancelledFlagTurnsTrueWhenNewerJobStarts();
    void cancelDropsPendingResult();
    void destructorWaitsForRunningJobs();
};

void TestJobTracker::deliversResultOnContextThread()
{
    QObject context;
    JobTracker tracker(&context);
    QThread *resultThread = nullptr;
    int result = 0;
    tracker.startJob([](const std::function<bool()> &) { return 42; },
        [&](int r) {
            result = r;
            resultThread = QThread::currentThread();
        });
    QVERIFY(tracker.isJobRunning());
    QTRY_COMPARE(result, 42);
    QCOMPARE(resultThread, QThread::currentThread());
    QVERIFY(!tracker.isJobRunning());
}

void TestJobTracker::olderResultArrivingLaterIsDropped()
{
    QObject context;
    JobTracker tracker(&context);
    QSemaphore releaseOld;
    QList<QString> delivered;

    // Job 1 (old) blocks until job 2 (new) has delivered, then finishes: it must be dropped.
    const auto oldId = tracker.startJob(
        [&releaseOld](const std::function<bool()> &) {
            releaseOld.acquire();
            return QStringLiteral("old");
        },
        [&](const QString &r) { delivered << r; });
    const auto newId = tracker.startJob(
        [](const std::function<bool()> &) { return QStringLiteral("new"); }, [&](const QString &r) { delivered << r; });
    QVERIFY(newId > oldId);
    QTRY_COMPARE(delivered, QList<QString> {QStringLiteral("new")});

    releaseOld.release();
    tracker.waitForDone();
    QCoreApplication::processEvents(); // give a wrongly queued old result every chance to arrive
    QCoreApplication::processEvents();
    QCOMPARE(delivered, QList<QString> {QStringLiteral("new")});
    QVERIFY(!tracker.isJobRunning());
}

void TestJobTracker::cancelledFlagTurnsTrueWhenNewerJobStarts()
{
    QObject context;
    JobTracker tracker(&context);
    QSemaphore started;
    QSemaphore proceed;
    std::atomic<bool> sawCancelled {false};
    tracker.startJob(
        [&](const std::function<bool()> &cancelled) {
            const bool before = cancelled();
            started.release();
            proceed.acquire();
            sawCancelled = !before && cancelled();
            return 0;
        },
        [](int) { QFAIL("an outdated job's result was delivered"); });
    started.acquire();
    int newer = 0;
    tracker.startJob([](const std::function<bool()> &) { return 7; }, [&](int r) { newer = r; });
    proceed.release();
    QTRY_COMPARE(newer, 7);
    tracker.waitForDone();
    QVERIFY(sawCancelled);
}

void TestJobTracker::cancelDropsPendingResult()
{
    QObject context;
    JobTracker tracker(&context);
    bool delivered = false;
    tracker.startJob([](const std::function<bool()> &) { return 1; }, [&](int) { delivered = true; });
    tracker.cancel();
    QVERIFY(!tracker.isJobRunning());
    tracker.waitForDone();
    QCoreApplication::processEvents();
    QVERIFY(!delivered);
}

void TestJobTracker::destructorWaitsForRunningJobs()
{
    auto context = std::make_unique<QObject>();
    std::atomic<bool> finished {false};
    bool delivered = false;
    {
        JobTracker tracker(context.get());
        tracker.startJob(
            [&](const std::function<bool()> &) {
                QThread::msleep(50);
                finished = true;
                return 1;
            },
            [&](int) { delivered = true; });
    }
    QVERIFY(finished); // the job did not outlive its tracker
    QCoreApplication::processEvents();
    QVERIFY(!delivered); // and its result was dropped with it
}

QTEST_GUILESS_MAIN(TestJobTracker)
#include "tst_jobtracker.moc"
