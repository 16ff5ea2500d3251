// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/internednames.h"

#include <cstring>
#include <utility>
#include <vector>

namespace kmr::kernellog::detail {

namespace {

// The names of internedName(): open addressing on a 64-bit hash of the bytes, cheaper than a
// QHash<QByteArray> for the short names looked up once per frame.
//
// The look-up runs once per frame of every report, between reads of the log that push the table
// out of the caches: a look-up that missed the cache three times (the slot, its key's bytes on
// the heap, then its value) was 3.6% of the extraction's time, two thirds of it waiting for the
// slot. So the slots are 8 bytes each (a tag from the hash and the entry's index: a few thousand
// names take some 64 KiB), the keys are packed one after the other in one array, and the entries
// (hash, key, name and verdicts) are in another, in the order the names came.
class NameTable
{
public:
    InternedName &get(QByteArrayView text)
    {
        const quint64 h = hashOf(text);
        const quint32 tag = tagOf(h);
        size_t i = slotOf(h);
        for (; m_slots[i].tag; i = (i + 1) & (m_slots.size() - 1)) {
            const Slot s = m_slots[i];
            if (s.tag != tag)
                continue;
            Entry &e = m_entries[s.entry];
            if (e.keySize == text.size() && std::memcmp(m_keys.data() + e.keyAt, text.data(), size_t(text.size())) == 0)
                return e.value;
        }
        if (m_entries.size() >= 100000) { // forget them all, as the table would grow without bound
            *this = NameTable();
            return get(text);
        }
        if (2 * (m_entries.size() + 1) > m_slots.size()) {
            grow();
            return get(text);
        }
        m_slots[i] = {tag, quint32(m_entries.size())};
        const qsizetype keyAt = qsizetype(m_keys.size());
        m_keys.insert(m_keys.end(), text.begin(), text.end());
        m_entries.push_back({h, keyAt, text.size(), InternedName {QString::fromLatin1(text), {}}});
        return m_entries.back().value;
    }

private:
    struct Slot {
        quint32 tag = 0; // 0: free
        quint32 entry = 0; // index in m_entries
    };
    struct Entry {
        quint64 hash;
        qsizetype keyAt; // the key's bytes: m_keys[keyAt, keyAt + keySize)
        qsizetype keySize;
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
        return h;
    }
    // The slot comes from the hash's low bits (above the 7 lowest), the tag from its high ones.
    size_t slotOf(quint64 h) const { return size_t(h >> 7) & (m_slots.size() - 1); }
    static quint32 tagOf(quint64 h) { return quint32(h >> 32) | 1; } // never 0

    void grow()
    {
        m_slots.assign(m_slots.size() * 2, Slot());
        for (size_t e = 0; e < m_entries.size(); ++e) {
            size_t i = slotOf(m_entries[e].hash);
            while (m_slots[i].tag)
                i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = {tagOf(m_entries[e].hash), quint32(e)};
        }
    }

    std::vector<Slot> m_slots = std::vector<Slot>(kInitialSize); // a power of two, at most half used
    std::vector<Entry> m_entries;
    std::vector<char> m_keys;
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
