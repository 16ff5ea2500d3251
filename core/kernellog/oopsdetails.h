// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the facts read from an excerpt's lines (frames, faulting function and
// module, taint, "Modules linked in").

#include "kernellog/oopsexcerpt.h"

#include <QByteArrayView>

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
// linked in" in those). The scanner that decides where an excerpt ends reads its lines as frames
// too: it adds them here on the way, and fillDetails() has none of them to read again.
class DetailLines
{
public:
    struct Other {
        QByteArrayView message;
        int line;
    };
    void clear()
    {
        m_frames.clear();
        m_others.clear();
    }
    // A line, its message (prefix removed) and its index in the log, in log order. True when it is
    // a frame.
    bool add(QByteArrayView message, int line);
    // Whether frameFunction(text) names a function: text is ParsedLine::text of the line just
    // added. Most of the time the answer follows from the frame read.
    bool lastHasFrameFunction(QByteArrayView text) const;
    // Forgets the lines added after the one with this index.
    void dropAfter(int line);
    const std::vector<FrameAt> &frames() const { return m_frames; }
    const std::vector<Other> &others() const { return m_others; }

private:
    std::vector<FrameAt> m_frames;
    std::vector<Other> m_others;
    bool m_lastIsFrame = false;
};

// Fills faultingFunction/Module, taint, modulesLinkedIn and frames from the excerpt's lines and
// its header.
// titleFrame: the frame the title names ("kmr_exithang_exit"), used when no faulting IP was printed.
// frameNames false: the frames' function names are left empty (a listing that prints only the
// faulting function and the modules spares converting them).
void fillDetails(OopsExcerpt &e, const DetailLines &lines, QStringView titleFrame, bool frameNames = true);

} // namespace kmr::kernellog::detail
