// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

namespace kmr {

// Kernel-wide facts read from ROOT/proc, ROOT/sys and ROOT/boot.
KernelFacts readKernelFacts(const QString &root);

// "Linux version 6.1.0 (user@host) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld ...) #1 SMP ..."
// gives "gcc-12 (Debian 12.2.0-14) 12.2.0". Empty when the line has no compiler part.
QString compilerFromProcVersion(const QString &line);

// "none [integrity] confidentiality" gives "integrity".
QString activeLockdownMode(const QString &text);

// Looks a CONFIG_ option up in kernel config text: "y", "m", "n" (for "# ... is not set"),
// the unquoted value for strings, or empty when absent.
QString kernelConfigValue(const QByteArray &config, const QByteArray &option);

// Reads ROOT/boot/config-RELEASE, else ROOT/proc/config.gz. false with *why when neither.
bool readKernelConfig(const QString &root, const QString &release, QByteArray *config, QString *source, QString *why);

} // namespace kmr
