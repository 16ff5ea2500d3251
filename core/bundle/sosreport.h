// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A sosreport opened like a bundle: what `sos report` collected about the kernel's modules, read
// into the BundleContents the bundle views show (read-only; nothing of this machine is scanned).
//
//   module list  proc/modules; without it sos_commands/kernel/lsmod (no states, addresses, taint)
//   per module   sys/module/NAME/{initstate,refcnt,taint} (sos copies these; not holders/,
//                srcversion or coresize: holders come from the module list's used-by column)
//   .ko facts    sos_commands/kernel/modinfo_* (vermagic, srcversion, signer, depends of the .ko
//                modinfo found on that machine); a sosreport holds no .ko file, so the compiler
//                (.comment) and the exit function are unknown, except a "[permanent]" module's
//   kernel       proc/sys/kernel/{osrelease,tainted,modules_disabled}, else sysctl -a, else
//                uname -a; the "Linux version" line (proc/version or the log's first line) for
//                the compiler; sys/module/module/parameters/sig_enforce; boot/config-RELEASE
//   kernel log   sos_commands/kernel/dmesg (or dmesg_-T), else the kernel's lines of the journal
//                (sos_commands/logs/journalctl_*: -k, this boot, else the last boot of the full
//                journal), else var/log/dmesg, else var/log/kern.log; its oopses are extracted
// The diagnoses of every stuck or out-of-tree module are derived from these. Every part that is
// missing, or read from a weaker source, is named in BundleContents::absentWhy.

#include "bundle/bundlecontents.h"
#include "bundle/sostree.h"

namespace kmr::bundle {

// Reads the sosreport at `path` (sostree.h) and imports it.
bool openSosReport(
    const QString &path, BundleContents *out, BundleError *error, QString *message, const ReadLimits &limits = {});

// The import of a tree already read. false (NoModuleList) when it has neither proc/modules nor
// lsmod: the report was taken without sos's kernel plugin.
bool sosReportContents(const SosTree &sos, BundleContents *out, BundleError *error, QString *message);

} // namespace kmr::bundle
