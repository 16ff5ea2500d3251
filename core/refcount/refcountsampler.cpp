// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/refcountsampler.h"

#include "util/fileread.h"

#include <QDir>
#include <QLoggingCategory>
#include <QTimer>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcRefcountSampler, "kmr.refcount.sampler", QtWarningMsg)

namespace kmr {

RefcountSampler::RefcountSampler(std::shared_ptr<RefcountHistory> history, QString root, QObject *parent)
    : QObject(parent)
    , m_history(std::move(history))
    , m_root(std::move(root))
    , m_timer(new QTimer(this))
{
    m_clock.start();
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &RefcountSampler::sampleOnce);
    setRateHz(kDefaultHz);
}

RefcountSampler::~RefcountSampler()
{
    closeAll();
}

void RefcountSampler::setRateHz(double hz)
{
    if (!(hz > 0))
        hz = kDefaultHz;
    m_hz = qMin(hz, kMaxHz);
    m_timer->setInterval(qMax(1, qRound(1000.0 / m_hz)));
}

void RefcountSampler::setModules(const QStringList &modules)
{
    m_wanted = modules;
    m_listedAtMs = INT64_MIN; // re-list at the next tick
}

void RefcountSampler::start()
{
    sampleOnce();
    m_timer->start();
}

void RefcountSampler::stop()
{
    m_timer->stop();
}

void RefcountSampler::closeAll()
{
    for (auto &s : m_sources) {
        if (s.fd >= 0)
            ::close(s.fd);
    }
    m_sources.clear();
}

void RefcountSampler::refreshModuleList()
{
    if (!m_wanted.isEmpty()) {
        m_current = m_wanted;
    } else {
        // Built-in modules have a /sys/module dir without refcnt; they are skipped at read time
        // once (their fd stays -2).
        m_current = QDir(joinRoot(m_root, QStringLiteral("/sys/module"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    }
    // Drop descriptors of modules no longer listed.
    for (auto it = m_sources.begin(); it != m_sources.end();) {
        it->noFile = false;
        if (!m_current.contains(it.key()) && !it->seen) {
            if (it->fd >= 0)
                ::close(it->fd);
            it = m_sources.erase(it);
        } else {
            ++it;
        }
    }
}

bool RefcountSampler::readRefcnt(const QString &module, Source &src, qint64 *value)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (src.fd < 0) {
            const QByteArray path = QFile::encodeName(
                joinRoot(m_root, QStringLiteral("/sys/module/") + module + QStringLiteral("/refcnt")));
            src.fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
            if (src.fd < 0)
                return false;
        }
        char buf[32];
        const ssize_t n = ::pread(src.fd, buf, sizeof(buf) - 1, 0);
        if (n > 0) {
            buf[n] = 0;
            bool ok = false;
            const qint64 v = QByteArray(buf, n).trimmed().toLongLong(&ok);
            if (ok) {
                *value = v;
                return true;
            }
            qCWarning(lcRefcountSampler) << "unreadable refcnt of" << module << QByteArray(buf, n);
        }
        // The module was unloaded (and maybe loaded again): the old descriptor is dead.
        ::close(src.fd);
        src.fd = -1;
    }
    return false;
}

void RefcountSampler::sampleOnce()
{
    const qint64 now = nowMs();
    if (m_listedAtMs == INT64_MIN || now - m_listedAtMs >= 1000) {
        refreshModuleList();
        m_listedAtMs = now;
    }
    const int periodMs = m_timer->interval();
    for (const QString &module : std::as_const(m_current)) {
        Source &src = m_sources[module];
        if (src.noFile)
            continue;
        qint64 value = 0;
        if (readRefcnt(module, src, &value)) {
            src.seen = true;
            m_history->record(module, now, periodMs, value);
        } else if (src.seen || !m_wanted.isEmpty()) {
            m_history->record(module, now, periodMs, RefcountPoint::kAbsent);
        } else {
            src.noFile = true;
        }
    }
    // Modules seen before and no longer listed went away.
    for (auto it = m_sources.begin(); it != m_sources.end(); ++it) {
        if (it->seen && !m_current.contains(it.key()))
            m_history->record(it.key(), now, periodMs, RefcountPoint::kAbsent);
    }
    Q_EMIT sampled(now);
}

} // namespace kmr
