// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace kmr::kernellog {

// One frame of a call trace: " my_oops_init+0x15/0x1000 [kmr_initoops]".
struct OopsFrame {
    QString function; // "my_oops_init" (".isra.0", ".cold" suffixes kept as printed)
    quint64 offset = 0; // 0x15
    quint64 size = 0; // 0x1000
    QString module; // "kmr_initoops" when the kernel printed [module], "" for vmlinux
    bool questionable = false; // printed with "? ": a stale value found on the stack
    int line = -1; // index of the log line it came from
    bool operator==(const OopsFrame &o) const;
};

// One crash report cut out of a kernel log.
struct OopsExcerpt {
    QString title; // syzkaller's convention: "<kind> in <first interesting frame>"
    QStringList altTitles; // other spellings syzkaller accepts for the same crash ("bad-access in f", ...)
    QString kind; // the title before " in ": "BUG: unable to handle kernel paging request"
    QString header; // the line that opened the report, prefix stripped
    QString faultingFunction; // where it happened: RIP/PC, the WARNING's location, KASAN's "in f"
    QString faultingModule; // [module] of that function, "" for vmlinux or unknown
    QString taint; // taint letters from "Tainted: G  OE", e.g. "OE"; "" when untainted or not printed
    QStringList modulesLinkedIn; // from "Modules linked in:", flags like (OE+) removed
    QList<OopsFrame> frames; // the call trace(s), in print order
    QString callerId; // context of the report ("T123", "C1") when the log has caller ids
    int firstLine = -1; // index of the first and last input line (or record) of the excerpt
    int lastLine = -1;
    QList<int> lineIndexes; // the lines that belong to it (other CPUs' interleaved lines left out)
    QStringList lines; // their text, timestamps kept
    bool truncated = false; // the report is cut short, interleaved beyond repair, or has no usable trace
    QString truncatedWhy;

    bool operator==(const OopsExcerpt &o) const;
};

// Modules an excerpt implicates, most suspect first: the faulting module, then every [module]
// in the call trace in order of appearance ("? " frames left out). No duplicates.
QStringList implicatedModules(const OopsExcerpt &e);

// The excerpts that implicate a module (name in '_' form), for the module table's badge.
QList<OopsExcerpt> excerptsImplicating(const QList<OopsExcerpt> &all, const QString &module);

} // namespace kmr::kernellog

Q_DECLARE_METATYPE(kmr::kernellog::OopsExcerpt)
