// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <cstdint>
#include <deque>
#include <vector>

namespace kmr {

// One point of a module's refcount history: from timeMs on, the refcount was value
// (kAbsent: the module was not loaded).
struct RefcountPoint {
    static constexpr qint64 kAbsent = INT64_MIN;
    qint64 timeMs = 0;
    qint64 value = 0;
    bool absent() const { return value == kAbsent; }
    bool operator==(const RefcountPoint &o) const { return timeMs == o.timeMs && value == o.value; }
};

// The refcount history of every sampled module, stored as changes only.
//
// Each module keeps a queue of fixed-size chunks. A chunk starts with an absolute time, period
// and value; after that each change is one byte when it comes within 8 sample periods of the
// previous one and moves the refcount by -8..+8 (the common case, also the worst case of "every
// sample changes"), else a tag byte and two varints. A sample equal to the last value costs
// nothing. A new chunk starts when the sampling period changes or the chunk is full.
// Memory is bounded: when the bytes in use pass the budget, the oldest chunk of the module with
// the most bytes is dropped, so a busy module loses its oldest history first.
//
// bytesUsed() accounts for every allocation the store makes (chunk payloads at their reserved
// capacity, chunk headers, per-module records and names); the unit test and the benchmark check
// the 24 h x 1 Hz x 300 modules worst case against it. Thread-safe (one mutex).
class RefcountHistory
{
public:
    static constexpr qsizetype kChunkPayload = 480;
    static constexpr qint64 kDefaultBudgetBytes = 48LL * 1024 * 1024;

    explicit RefcountHistory(qint64 budgetBytes = kDefaultBudgetBytes);

    // Records a sample taken at timeMs (monotonic milliseconds, non-decreasing per module) with
    // the sampler's period. value RefcountPoint::kAbsent: the module was not there.
    void record(const QString &module, qint64 timeMs, int periodMs, qint64 value);

    // The change points of a module with fromMs <= time <= toMs, plus the point in force at
    // fromMs (with its own earlier time) so that a chart can start at the left edge.
    QList<RefcountPoint> points(const QString &module, qint64 fromMs = INT64_MIN, qint64 toMs = INT64_MAX) const;

    QStringList modules() const;
    qint64 bytesUsed() const;
    qint64 budgetBytes() const { return m_budget; }
    qint64 droppedChunks() const;
    // Time of the oldest point still held for a module (INT64_MIN when none).
    qint64 oldestTimeMs(const QString &module) const;

private:
    struct Chunk {
        qint64 startMs = 0;
        qint64 startValue = 0;
        qint64 lastTick = 0;
        qint64 lastValue = 0;
        int periodMs = 1000;
        std::vector<uint8_t> bytes;
    };
    struct Series {
        std::deque<Chunk> chunks;
        qint64 bytes = 0;
        qint64 lastSampleMs = INT64_MIN;
    };

    static qint64 chunkCost();
    void startChunk(Series &s, qint64 timeMs, int periodMs, qint64 value);
    void enforceBudget();
    static void decodeChunk(const Chunk &c, QList<RefcountPoint> *out);

    mutable QMutex m_mutex;
    QHash<QString, Series> m_series;
    qint64 m_budget;
    qint64 m_bytes = 0;
    qint64 m_dropped = 0;
};

} // namespace kmr
