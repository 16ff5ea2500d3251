// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The parts of the sosreport import (sosreport.h), exposed for its tests.

#include "bundle/sostree.h"
#include "kernellog/kernellogrecord.h"
#include "snapshot/moduleinfo.h"

#include <QHash>

namespace kmr::bundle {

// The kernel-wide facts a sosreport holds. `log` gives the "Linux version" line when there is no
// proc/version. Parts that are missing are added to *absent.
KernelFacts sosKernelFacts(const MemoryTree &t, const kernellog::KernelLog &log, QMap<QString, QString> *absent);

// One module's block of `modinfo` output.
struct ModinfoBlock {
    QString filename; // "/lib/modules/6.1.0-56-amd64/kernel/fs/overlayfs/overlay.ko", "(builtin)"
    QString vermagic, srcversion, signer;
    QStringList depends;
};

struct ModinfoOutput {
    QHash<QString, ModinfoBlock> modules; // by module name, '_' form
    QHash<QString, QString> errors; // module -> what modinfo said ("Module kmr_victim not found.")
};

// Parses the output of `modinfo NAME...` (blocks begin with "filename:"; a failure is a
// "modinfo: ERROR: Module NAME not found." line).
ModinfoOutput parseModinfoOutput(const QByteArray &text);

// Fills the .ko facts of the snapshot's modules from sos's modinfo output (all of the tree's
// sos_commands/kernel/modinfo_* files), or says why they are unknown.
void applySosModinfo(const MemoryTree &t, Snapshot *s);

// The kernel log's text and where it came from ("sos_commands/kernel/dmesg"); empty when the
// report has none.
struct SosKernelLogText {
    QByteArray text;
    QString source;
};
SosKernelLogText sosKernelLogText(const MemoryTree &t);

} // namespace kmr::bundle
