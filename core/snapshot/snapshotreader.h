// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"
#include "snapshot/procmodules.h"

namespace kmr {

class FileTree;

// Reads a Snapshot of the loaded modules and the kernel-wide facts.
//
// On the live system (root "/") the loaded list, holders, refcounts and init state come from
// libkmod. Under any other root the same facts are read by hand from ROOT/proc and ROOT/sys,
// so tests run on fixture trees. Either way .ko files are found through libkmod's modules.dep
// lookup under ROOT/lib/modules/RELEASE, and modinfo comes from libkmod (which also opens
// .ko.xz/.ko.zst); the .comment compiler and the exit symbol come from our ELF reader.
//
// Modules that appear or vanish during the read are tolerated: a module whose files disappear
// mid-read is kept with what was read and a warning, never a crash.
class SnapshotReader
{
public:
    struct Options {
        QString root = QStringLiteral("/");
        bool readKoFiles = true; // open .ko files for .comment and the exit symbol
        bool forceHandReader = false; // use the /proc,/sys reader even on "/" (tests, benchmarks)
    };

    SnapshotReader();
    explicit SnapshotReader(Options options);

    Snapshot read() const;
    KernelFacts readKernelFacts() const;

    // A snapshot of another machine's modules from a tree of its files (a sosreport held in
    // memory): the module list `listing` (its /proc/modules, or lsmod) completed from
    // TREE/sys/module/NAME/* where present. No libkmod and no .ko files: their facts are
    // unknown with `koWhy`, except that a "[permanent]" module has no exit. A module the tree
    // has no /sys/module directory for is kept, with a warning.
    static Snapshot readTree(const FileTree &tree, const ProcModulesParse &listing, const KernelFacts &facts,
        const QString &source, const QString &koWhy);

private:
    Options m_options;
};

} // namespace kmr
