// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/refcounthistory.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>

#include <memory>

class QTimer;

namespace kmr {

// Samples /sys/module/NAME/refcnt (under an injectable root, like SnapshotReader) at a chosen
// rate into a RefcountHistory. Each sample costs one pread() per module on a kept-open file
// descriptor; the module list is re-read from ROOT/sys/module once a second. Run it on a worker
// thread (moveToThread, then start() there) or on the GUI thread at low rates: a tick over 300
// modules is a few hundred microseconds.
class RefcountSampler : public QObject
{
    Q_OBJECT
public:
    static constexpr double kDefaultHz = 1.0;
    static constexpr double kMaxHz = 100.0;

    explicit RefcountSampler(
        std::shared_ptr<RefcountHistory> history, QString root = QStringLiteral("/"), QObject *parent = nullptr);
    ~RefcountSampler() override;

    std::shared_ptr<RefcountHistory> history() const { return m_history; }
    double rateHz() const { return m_hz; }
    // CLOCK_MONOTONIC milliseconds (since boot, as the trace clock): the history's time axis.
    qint64 nowMs() const { return m_clock.msecsSinceReference() + m_clock.elapsed(); }

public Q_SLOTS:
    // Clamped to (0, kMaxHz]; takes effect at once.
    void setRateHz(double hz);
    // Only these modules are sampled (empty: every module in ROOT/sys/module).
    void setModules(const QStringList &modules);
    void start();
    void stop();
    // One sample of every watched module now (the timer calls it; tests call it directly).
    void sampleOnce();

Q_SIGNALS:
    void sampled(qint64 timeMs);

private:
    struct Source {
        int fd = -1;
        bool seen = false; // had a refcnt once: its disappearance is recorded
        bool noFile = false; // no refcnt (built in): not retried until the next listing
    };
    void refreshModuleList();
    bool readRefcnt(const QString &module, Source &src, qint64 *value);
    void closeAll();

    std::shared_ptr<RefcountHistory> m_history;
    QString m_root;
    QTimer *m_timer;
    QElapsedTimer m_clock;
    double m_hz = kDefaultHz;
    QStringList m_wanted;
    QStringList m_current;
    qint64 m_listedAtMs = INT64_MIN;
    QHash<QString, Source> m_sources;
};

} // namespace kmr
