// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the facts read from an excerpt's lines (frames, faulting function and
// module, taint, "Modules linked in").

#include "kernellog/oopsexcerpt.h"

#include <QByteArrayView>

#include <span>
#include <vector>

namespace kmr::kernellog::detail {

// "func+0x1a/0x30 [mod]" as printed: views into the line, nothing converted yet.
struct Symbol {
    QByteArrayView name; // "func"
    QByteArrayView module; // "mod"; empty for none
    quint64 offset = 0;
    quint64 size = 0;
};

// A frame line read, nothing converted yet: the symbol, and whether it is a "? " one.
struct FrameAt {
    Symbol symbol;
    bool questionable = false;
    int line = -1; // the index of the log line
};

// Where the first and the last " in " of a title are (-1: none), as QString::indexOf() and
// lastIndexOf() would find them.
struct InPositions {
    qsizetype first = -1;
    qsizetype last = -1;
};
InPositions inPositions(QStringView title);

// t.trimmed() == "</TASK>" (a message), without the out-of-line trimmed(). Most lines end with
// neither '>' nor white space (' ', '\t' to '\r': all at most ' '): those need no call.
bool isTaskEndTrimmed(QByteArrayView t);
inline bool isTaskEnd(QByteArrayView t)
{
    return !t.isEmpty() && (t.back() == '>' || uchar(t.back()) <= ' ') && isTaskEndTrimmed(t);
}

// An excerpt's lines as fillDetails() reads them: each read once as a frame, and sorted into its
// frames and its other lines (fillDetails() looks for the faulting IP, the taint and "Modules
// linked in" in those).
class DetailLines
{
public:
    struct Other {
        QByteArrayView message; // the line's message (prefix removed)
        int line; // its index in the log
    };
    // Reads an excerpt's lines (in log order) as frames, all in one loop: a call per line cost
    // about 35 instructions more a line, and the scanner reads no line it then leaves out.
    // offsets false: the frames' offsets and sizes are left 0.
    void read(const Other *lines, size_t count, bool offsets = true);
    std::span<const FrameAt> frames() const { return {m_frames.data(), m_frameCount}; }
    std::span<const Other> others() const { return {m_others.data(), m_otherCount}; }

private:
    template<bool Offsets> void readAll(const Other *lines, size_t count);

    std::vector<FrameAt> m_frames; // the first m_frameCount of them
    std::vector<Other> m_others; // the first m_otherCount of them
    size_t m_frameCount = 0;
    size_t m_otherCount = 0;
};

// Fills faultingFunction/Module, taint, modulesLinkedIn and frames from the excerpt's lines and
// its header.
// titleFrame: the frame the title names ("kmr_exithang_exit"), used when no faulting IP was printed.
// frameNames false: the frames' function names are left empty (a listing that prints only the
// faulting function and the modules spares converting them).
void fillDetails(OopsExcerpt &e, const DetailLines &lines, QStringView titleFrame, bool frameNames = true);

} // namespace kmr::kernellog::detail
