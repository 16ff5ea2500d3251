// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/refcounthistory.h"

#include <QMutexLocker>

#include <cmath>

namespace kmr {

namespace {

// Tag bytes of the long forms (the short form has the high bit clear).
constexpr uint8_t kTagDelta = 0x80; // varint dt, varint zigzag(dv)
constexpr uint8_t kTagAbsent = 0x81; // varint dt: the module went away
constexpr uint8_t kTagPresent = 0x82; // varint dt, varint zigzag(value): it is back
constexpr qsizetype kMaxRecord = 1 + 10 + 10;
// What a QHash node, the key's QString data and a Series cost besides their chunks (estimated
// generously: a QString header, the UTF-16 name, the hash span entry, the deque's map).
constexpr qint64 kSeriesOverhead = 256;

uint64_t zigzag(qint64 v)
{
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
qint64 unzigzag(uint64_t z)
{
    return static_cast<qint64>(z >> 1) ^ -static_cast<qint64>(z & 1);
}

void putVarint(std::vector<uint8_t> &b, uint64_t v)
{
    while (v >= 0x80) {
        b.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    b.push_back(static_cast<uint8_t>(v));
}

bool getVarint(const std::vector<uint8_t> &b, size_t &i, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && i < b.size(); shift += 7) {
        const uint8_t c = b[i++];
        r |= static_cast<uint64_t>(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

} // namespace

RefcountHistory::RefcountHistory(qint64 budgetBytes)
    : m_budget(budgetBytes)
{ }

qint64 RefcountHistory::chunkCost()
{
    // The deque stores Chunk by value; the payload is reserved once at kChunkPayload, plus
    // malloc's own header for that block.
    return static_cast<qint64>(sizeof(Chunk)) + kChunkPayload + 16;
}

void RefcountHistory::startChunk(Series &s, qint64 timeMs, int periodMs, qint64 value)
{
    Chunk c;
    c.startMs = timeMs;
    c.startValue = value;
    c.lastValue = value;
    c.periodMs = periodMs;
    c.bytes.reserve(kChunkPayload);
    s.chunks.push_back(std::move(c));
    s.bytes += chunkCost();
    m_bytes += chunkCost();
}

void RefcountHistory::record(const QString &module, qint64 timeMs, int periodMs, qint64 value)
{
    periodMs = qMax(1, periodMs);
    QMutexLocker lock(&m_mutex);
    auto it = m_series.find(module);
    if (it == m_series.end()) {
        it = m_series.insert(module, Series {});
        m_bytes += kSeriesOverhead;
    }
    Series &s = *it;
    if (timeMs < s.lastSampleMs)
        timeMs = s.lastSampleMs; // a clock step backwards: keep the series ordered
    s.lastSampleMs = timeMs;

    if (s.chunks.empty()) {
        startChunk(s, timeMs, periodMs, value);
        enforceBudget();
        return;
    }
    Chunk *c = &s.chunks.back();
    if (value == c->lastValue)
        return; // changes only
    if (c->periodMs != periodMs || c->bytes.size() + kMaxRecord > static_cast<size_t>(kChunkPayload)) {
        startChunk(s, timeMs, periodMs, value);
        enforceBudget();
        return;
    }

    qint64 tick = std::llround(static_cast<double>(timeMs - c->startMs) / c->periodMs);
    if (tick <= c->lastTick)
        tick = c->lastTick + 1; // two changes within one period: keep them apart and ordered
    const qint64 dt = tick - c->lastTick;
    auto &b = c->bytes;
    if (value == RefcountPoint::kAbsent) {
        b.push_back(kTagAbsent);
        putVarint(b, static_cast<uint64_t>(dt));
    } else if (c->lastValue == RefcountPoint::kAbsent) {
        b.push_back(kTagPresent);
        putVarint(b, static_cast<uint64_t>(dt));
        putVarint(b, zigzag(value));
    } else {
        const qint64 dv = value - c->lastValue;
        const uint64_t z = zigzag(dv);
        if (dt <= 8 && z >= 1 && z <= 16) {
            b.push_back(static_cast<uint8_t>(((dt - 1) << 4) | (z - 1)));
        } else {
            b.push_back(kTagDelta);
            putVarint(b, static_cast<uint64_t>(dt));
            putVarint(b, z);
        }
    }
    c->lastTick = tick;
    c->lastValue = value;
}

void RefcountHistory::enforceBudget()
{
    while (m_bytes > m_budget) {
        Series *victim = nullptr;
        for (auto &s : m_series) {
            // Never drop a module's only (current) chunk: it holds its present value.
            if (s.chunks.size() > 1 && (!victim || s.bytes > victim->bytes))
                victim = &s;
        }
        if (!victim)
            return;
        victim->chunks.pop_front();
        victim->bytes -= chunkCost();
        m_bytes -= chunkCost();
        ++m_dropped;
    }
}

void RefcountHistory::decodeChunk(const Chunk &c, QList<RefcountPoint> *out)
{
    out->append({c.startMs, c.startValue});
    qint64 tick = 0;
    qint64 value = c.startValue;
    size_t i = 0;
    const auto &b = c.bytes;
    while (i < b.size()) {
        const uint8_t tag = b[i++];
        uint64_t dt = 0, z = 0;
        if (!(tag & 0x80)) {
            dt = (tag >> 4) + 1;
            value += unzigzag((tag & 0x0f) + 1);
        } else if (tag == kTagDelta) {
            if (!getVarint(b, i, &dt) || !getVarint(b, i, &z))
                return;
            value += unzigzag(z);
        } else if (tag == kTagAbsent) {
            if (!getVarint(b, i, &dt))
                return;
            value = RefcountPoint::kAbsent;
        } else if (tag == kTagPresent) {
            if (!getVarint(b, i, &dt) || !getVarint(b, i, &z))
                return;
            value = unzigzag(z);
        } else {
            return; // cannot happen: only record() writes chunks
        }
        tick += static_cast<qint64>(dt);
        out->append({c.startMs + tick * c.periodMs, value});
    }
}

QList<RefcountPoint> RefcountHistory::points(const QString &module, qint64 fromMs, qint64 toMs) const
{
    QMutexLocker lock(&m_mutex);
    QList<RefcountPoint> all;
    const auto it = m_series.constFind(module);
    if (it == m_series.cend())
        return all;
    // Skip whole chunks that end before fromMs (the next chunk's start bounds them).
    const auto &chunks = it->chunks;
    size_t first = 0;
    while (first + 1 < chunks.size() && chunks[first + 1].startMs <= fromMs)
        ++first;
    for (size_t k = first; k < chunks.size() && chunks[k].startMs <= toMs; ++k)
        decodeChunk(chunks[k], &all);

    QList<RefcountPoint> out;
    for (qsizetype k = 0; k < all.size(); ++k) {
        const RefcountPoint &p = all.at(k);
        if (p.timeMs > toMs)
            break;
        const bool inForceAtFrom = p.timeMs < fromMs && (k + 1 == all.size() || all.at(k + 1).timeMs > fromMs);
        if (p.timeMs >= fromMs || inForceAtFrom) {
            // A chunk boundary repeats the value in force: keep changes only.
            if (!out.isEmpty() && out.constLast().value == p.value)
                continue;
            out.append(p);
        }
    }
    return out;
}

QStringList RefcountHistory::modules() const
{
    QMutexLocker lock(&m_mutex);
    QStringList names = m_series.keys();
    names.sort();
    return names;
}

qint64 RefcountHistory::bytesUsed() const
{
    QMutexLocker lock(&m_mutex);
    return m_bytes + static_cast<qint64>(sizeof(*this));
}

qint64 RefcountHistory::droppedChunks() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped;
}

qint64 RefcountHistory::oldestTimeMs(const QString &module) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_series.constFind(module);
    if (it == m_series.cend() || it->chunks.empty())
        return INT64_MIN;
    return it->chunks.front().startMs;
}

} // namespace kmr
