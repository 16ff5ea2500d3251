// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/internednames.h"

#include <QByteArray>

#include <cstring>
#include <utility>
#include <vector>

namespace kmr::kernellog::detail {

namespace {

// The names of internedName(): open addressing on a 64-bit hash of the bytes, cheaper than a
// QHash<QByteArray> for the short names looked up once per frame.
class NameTable
{
public:
    InternedName &get(QByteArrayView text)
    {
        const quint64 h = hashOf(text);
        size_t i = slotOf(h);
        for (; m_slots[i].hash; i = (i + 1) & (m_slots.size() - 1)) {
            const Slot &s = m_slots[i];
            if (s.hash == h && s.key.size() == text.size()
                && std::memcmp(s.key.constData(), text.data(), size_t(text.size())) == 0)
                return m_slots[i].value;
        }
        if (m_used > 100000) { // forget them all, as the table would grow without bound
            m_slots = std::vector<Slot>(kInitialSize);
            m_used = 0;
        } else if (2 * (m_used + 1) > m_slots.size()) {
            grow();
        } else {
            return insertAt(i, h, text);
        }
        return get(text);
    }

private:
    struct Slot {
        quint64 hash = 0; // 0: free
        QByteArray key;
        InternedName value;
    };
    static constexpr size_t kInitialSize = 1024;

    static quint64 hashOf(QByteArrayView text)
    {
        quint64 h = quint64(text.size()) * 0x9e3779b97f4a7c15u;
        qsizetype i = 0;
        for (; i + 8 <= text.size(); i += 8) {
            quint64 w;
            std::memcpy(&w, text.data() + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdu;
            h ^= h >> 29;
        }
        quint64 w = 0; // the last bytes (the last 8 when there are that many, even if hashed already)
        if (text.size() >= 8)
            std::memcpy(&w, text.data() + text.size() - 8, 8);
        else
            for (; i < text.size(); ++i)
                w = w << 8 | uchar(text[i]);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
        h ^= h >> 32;
        return h | 1; // never 0
    }
    size_t slotOf(quint64 h) const { return size_t(h >> 7) & (m_slots.size() - 1); }

    InternedName &insertAt(size_t i, quint64 h, QByteArrayView text)
    {
        ++m_used;
        m_slots[i].hash = h;
        m_slots[i].key = text.toByteArray();
        m_slots[i].value = InternedName {QString::fromLatin1(text), {}};
        return m_slots[i].value;
    }

    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        for (Slot &s : old) {
            if (!s.hash)
                continue;
            size_t i = slotOf(s.hash);
            while (m_slots[i].hash)
                i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = std::move(s);
        }
    }

    std::vector<Slot> m_slots = std::vector<Slot>(kInitialSize);
    size_t m_used = 0;
};

} // namespace

InternedName &internedName(QByteArrayView text)
{
    thread_local NameTable names;
    return names.get(text);
}

QString internLatin1(QByteArrayView text)
{
    return internedName(text).name;
}

} // namespace kmr::kernellog::detail
